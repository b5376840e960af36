"""The literacy modules: format, safe rendering, and `remit content check`."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from remit import content
from remit.i18n import LANGUAGES

MODULE = '''+++
title = "A title"
summary = "A summary"
order = 1
reading_minutes = 3
updated = 2026-11-23
icon = "coins"
link = "calculator:true-cost"
{extra}
[[quiz]]
question = "Q1"
options = ["a", "b"]
answer = 1
explanation = "because"

[[quiz]]
question = "Q2"
options = ["a", "b", "c"]
answer = 0
explanation = "because"

[[quiz]]
question = "Q3"
options = ["a", "b"]
answer = 0
explanation = "because"
+++

## First lesson

Text with <script>alert(1)</script> and [a bad link](javascript:alert(1)) and [a good one](https://www.cbr.ru).
'''


def test_the_shipped_modules_are_complete_in_every_language():
    assert content.check() == {lang: [] for lang in LANGUAGES}
    assert len(content.modules("tg")) == 12
    assert [m.order for m in content.modules("ar")] == list(range(1, 13))


def test_markdown_is_rendered_without_raw_html_or_unsafe_links():
    module = content.parse_module(MODULE.format(extra=""), "sample", "en")
    html = str(module.html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="https://www.cbr.ru"' in html
    assert "<h2>First lesson</h2>" in html


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('icon = "coins"', 'icon = "rocket"'), "icon"),
    (lambda t: t.replace('link = "calculator:true-cost"', 'link = "elsewhere"'), "link"),
    (lambda t: t.replace("answer = 1", "answer = 5"), "answer must be the index"),
    (lambda t: t.replace('order = 1', 'order = "one"'), "order"),
    (lambda t: t.replace("title = \"A title\"\n", ""), "no title"),
    (lambda t: t.replace("+++\n\n## First", "\n## First"), "front matter"),
    (lambda t: t.split("[[quiz]]")[0] + "+++\n## L\n", "front matter has no quiz"),
])
def test_front_matter_errors_are_named(change, message):
    with pytest.raises(content.ContentError, match=message):
        content.parse_module(change(MODULE.format(extra="")), "sample", "en")


def _tree(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(content.content_root(), root)
    return root


def test_a_broken_english_module_is_reported_not_raised(tmp_path):
    root = _tree(tmp_path)
    (root / "en" / "insurance.md").write_text("no front matter at all\n", encoding="utf-8")
    report = content.check(root)
    assert report["en"] and report["en"][0].startswith("insurance: ")
    assert "insurance: stale: translated from an older English version" in report["fr"]


def test_check_reports_missing_stale_broken_and_bad_translations(tmp_path):
    root = _tree(tmp_path)
    (root / "ru" / "spot-the-scam.md").unlink()
    english = root / "en" / "insurance.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    lesson = root / "fr" / "deciding-together.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n[next](/fr/learn/no-such-module) "
                      "[old](/learn/insurance) [away](//evil.example/x) [fine](/fr/learn/insurance)\n",
                      encoding="utf-8")
    report = content.check(root)
    assert "spot-the-scam: missing" in report["ru"]
    assert all("insurance: stale: translated from an older English version" in report[lang]
               for lang in LANGUAGES if lang != "en")
    links = [problem for problem in report["fr"] if problem.startswith("deciding-together: ") and "link" in problem]
    assert links == [
        "deciding-together: broken link /fr/learn/no-such-module (a lesson is /<language>/learn/<module>)",
        "deciding-together: broken link /learn/insurance (a lesson is /<language>/learn/<module>)",
        "deciding-together: link '//evil.example/x' is neither http(s), mailto nor a site path"]
    assert report["en"] == []


def test_check_command_fails_on_problems(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from remit.cli.content import content_group
    root = _tree(tmp_path)
    monkeypatch.setattr(content, "content_root", lambda: root)
    assert CliRunner().invoke(content_group, ["check"]).exit_code == 0
    (root / "uz" / "insurance.md").write_text("no front matter", encoding="utf-8")
    result = CliRunner().invoke(content_group, ["check"])
    assert result.exit_code == 1 and "insurance: no front matter" in result.output


def test_a_translation_records_its_source():
    path = content.content_root() / "en" / "true-cost-of-sending-money.md"
    source = hashlib.sha256(path.read_bytes()).hexdigest()
    assert content.module("tg", "true-cost-of-sending-money").source_sha256 == source
