"""The catalogues are current and complete: what `remit translations check` enforces in CI."""

from __future__ import annotations

import shutil

from remit import i18n_catalog
from remit.i18n import LANGUAGES


def test_catalogues_are_current_and_complete():
    assert i18n_catalog.problems() == []


def test_the_check_catches_a_new_string_and_a_missing_translation(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(i18n_catalog.PROJECT_ROOT / "remit" / "templates", root / "remit" / "templates")
    shutil.copytree(i18n_catalog.PROJECT_ROOT / "translations", root / "translations")
    shutil.copy(i18n_catalog.PROJECT_ROOT / "babel.cfg", root / "babel.cfg")
    for source in (i18n_catalog.PROJECT_ROOT / "remit").rglob("*.py"):
        target = root / source.relative_to(i18n_catalog.PROJECT_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    assert i18n_catalog.problems(root) == []
    (root / "remit" / "templates" / "new.html").write_text("{{ _('A brand new sentence') }}")
    assert any("stale" in problem for problem in i18n_catalog.problems(root))
    i18n_catalog.update(root)
    found = i18n_catalog.problems(root)
    assert len([p for p in found if "untranslated" in p]) == len(LANGUAGES) - 1


def test_pages_are_translated(client):
    assert "Отправляйте деньги домой дешевле" in client.get("/ru/").get_data(as_text=True)
    assert "Пулро ба хона арзонтар фиристед" in client.get("/tg/").get_data(as_text=True)
    assert "أرسل المال إلى بلدك بتكلفة أقل" in client.get("/ar/").get_data(as_text=True)
