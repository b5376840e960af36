"""Keeping the gettext catalogues true: extract, update, compile, check.

``translations/messages.pot`` holds every UI string, extracted from the code and
templates by the map in ``babel.cfg``; each language has ``<locale>/LC_MESSAGES/
messages.po`` (translated) and ``messages.mo`` (compiled, shipped). ``check`` is what CI
runs: the template must match the code, and every phase-1 language must translate every
string, with a compiled file that matches its source.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DEFAULT_LANGUAGE, LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
COMMENT_TAG = "i18n:"
DOMAIN = "messages"


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """Every translatable string of the code and templates, as a fresh template catalogue."""
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="remit", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=[COMMENT_TAG],
            strip_comment_tags=True):
        catalog.add(message, None, [], auto_comments=comments, context=context)
    return catalog


def po_path(root: Path, locale_id: str) -> Path:
    return root / "translations" / locale_id / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=100,
                 no_location=True)


def _compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def translated_languages() -> list[str]:
    """Locale identifiers of every language other than the source language."""
    return [language.locale_id for code, language in LANGUAGES.items() if code != DEFAULT_LANGUAGE]


def update(root: Path = PROJECT_ROOT) -> None:
    """Write a fresh messages.pot and merge it into every language's catalogue."""
    template = extract(root)
    _write(root / "translations" / f"{DOMAIN}.pot", template)
    for locale_id in translated_languages():
        path = po_path(root, locale_id)
        catalog = _read(path, locale_id) if path.exists() else Catalog(
            locale=locale_id, project="remit", copyright_holder="remit contributors", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        _write(path, catalog)


def compile_all(root: Path = PROJECT_ROOT) -> None:
    """Compile every language's catalogue to the .mo file Flask-Babel loads."""
    for locale_id in translated_languages():
        path = po_path(root, locale_id)
        path.with_suffix(".mo").write_bytes(_compiled(_read(path, locale_id)))


def _ids(catalog: Catalog) -> set:
    return {(message.id, message.context) for message in catalog if message.id}


def problems(root: Path = PROJECT_ROOT) -> list[str]:
    """What is wrong with the catalogues; empty when they are complete and current."""
    found = []
    expected = _ids(extract(root))
    pot = root / "translations" / f"{DOMAIN}.pot"
    if not pot.exists() or _ids(_read(pot)) != expected:
        found.append("translations/messages.pot is stale: run `remit translations update`")
    for locale_id in translated_languages():
        path = po_path(root, locale_id)
        if not path.exists():
            found.append(f"{locale_id}: no catalogue")
            continue
        catalog = _read(path, locale_id)
        missing = [message.id for message in catalog if message.id and (
            message.fuzzy or not message.string or (
                isinstance(message.string, tuple) and not all(message.string)))]
        absent = expected - _ids(catalog)
        if missing or absent:
            found.append(f"{locale_id}: {len(missing) + len(absent)} strings untranslated or fuzzy")
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _compiled(catalog):
            found.append(f"{locale_id}: messages.mo does not match messages.po: "
                         "run `remit translations compile`")
    return found
