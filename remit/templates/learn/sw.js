// remit's service worker for /{{ scope }}: the lessons and calculators of this language, and
// the pages the reader opened, for reading offline. Network first, so prices stay fresh.
const CACHE = "remit-{{ scope.strip('/') }}-{{ version }}";
const PAGES = {{ pages | tojson }};
const OFFLINE = {{ offline_url | tojson }};

// Fetched without cookies: storing pages for later must never touch the reader's session
// (a page's answer would otherwise replace the session a form on screen belongs to).
self.addEventListener("install", (event) => {
  const requests = PAGES.map((url) => new Request(url, {credentials: "omit"}));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith("remit-{{ scope.strip('/') }}-") && name !== CACHE)
         .map((name) => caches.delete(name)))).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).then((response) => {
    if (response.ok && request.mode === "navigate") {
      const copy = response.clone();
      caches.open(CACHE).then(async (cache) => {
        if (new URL(request.url).pathname.includes("/send/")) {  // keep only the last comparison
          for (const key of await cache.keys()) {
            if (new URL(key.url).pathname.includes("/send/")) await cache.delete(key);
          }
        }
        await cache.put(request, copy);
      });
    }
    return response;
  }).catch(() => caches.match(request, {ignoreVary: true}).then((cached) =>
    cached || (request.mode === "navigate" ? caches.match(OFFLINE) : Response.error()))));
});
