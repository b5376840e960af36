// remit's only script, an optional enhancement: every page works without it.
(function () {
  var root = document.documentElement;
  // Offline reading: the service worker of this page's language.
  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker, {scope: root.dataset.scope});
  }
  // Quizzes: mark each answer right or wrong as soon as it is chosen.
  var quiz = document.querySelector(".quiz[data-answers]");
  if (quiz) {
    var answers = quiz.dataset.answers.split(",");
    quiz.querySelectorAll("fieldset").forEach(function (set, i) {
      set.addEventListener("change", function (event) {
        set.className = event.target.value === answers[i] ? "right" : "wrong";
        var note = set.querySelector(".explain");
        if (note) note.hidden = false;
      });
    });
  }
})();
