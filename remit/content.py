"""The financial literacy modules: loading, checking and rendering ``content/<lang>/*.md``.

The format is in ``content/README.md``: TOML front matter between ``+++`` lines (title,
summary, order, reading minutes, updated, icon, link, quiz; translations add the sha256
of the English file they come from), then lessons as ``## `` sections of plain Markdown.
Markdown is rendered with raw HTML switched off and only http(s), mailto and site-path
links (``/fr/learn/insurance``) kept, so nothing a writer types can inject markup.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from .archive import sha256_of_file
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .paths import project_folder

ICONS = ("plan", "budget", "coins", "receipt", "bank", "piggy", "loan", "shield", "phone",
         "umbrella", "family", "home")
CALCULATORS = ("true-cost", "fewer-transfers", "budget")
LINKS = tuple(f"calculator:{name}" for name in CALCULATORS) + ("compare", "none")
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class ContentError(ValueError):
    """A module file that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class Module:
    slug: str
    lang: str
    title: str
    summary: str
    order: int
    reading_minutes: int
    updated: date
    icon: str
    link: str
    quiz: tuple[Question, ...]
    body: str                                   # Markdown
    source_sha256: str | None = None
    links: tuple[str, ...] = field(default=())  # every link target in the body

    @property
    def html(self) -> Markup:
        return render_markdown(self.body)

    @property
    def calculator(self) -> str | None:
        return self.link.split(":", 1)[1] if self.link.startswith("calculator:") else None


def safe_link(url: str) -> bool:
    """http(s), mailto, or a path on this site (not ``//host``, which leaves it)."""
    return url.startswith(SAFE_SCHEMES) or (url.startswith("/") and not url.startswith("//"))


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.validateLink = safe_link
    return md


@cache
def render_markdown(text: str) -> Markup:
    """Markdown to HTML: raw HTML is shown as text, unsafe link schemes are dropped."""
    return Markup(_markdown().render(text))


def _link_targets(body: str) -> tuple[str, ...]:
    """Every link in the body, unsafe ones included (so that the check can report them)."""
    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = lambda url: True
    targets = []
    for token in parser.parse(body):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(child.attrs.get("href", ""))
    return tuple(targets)


def parse_module(text: str, slug: str, lang: str) -> Module:
    """A module from its file's text; ContentError naming the first problem."""
    parts = text.split("+++", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ContentError("no front matter between +++ lines at the top")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"front matter is not valid TOML: {error}") from None
    try:
        quiz = tuple(_question(entry, number) for number, entry in enumerate(meta["quiz"], start=1))
        module = Module(
            slug=slug, lang=lang, title=_text(meta, "title"), summary=_text(meta, "summary"),
            order=_int(meta, "order", 1, 99), reading_minutes=_int(meta, "reading_minutes", 1, 60),
            updated=meta["updated"], icon=meta["icon"], link=meta["link"], quiz=quiz,
            body=parts[2].strip() + "\n", source_sha256=meta.get("source_sha256"),
            links=_link_targets(parts[2]))
    except KeyError as error:
        raise ContentError(f"front matter has no {error.args[0]}") from None
    _check(module)
    return module


def _text(meta: dict, key: str) -> str:
    value = meta[key]
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{key} must be a non-empty string")
    return value.strip()


def _int(meta: dict, key: str, low: int, high: int) -> int:
    value = meta[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ContentError(f"{key} must be a whole number from {low} to {high}")
    return value


def _question(entry: dict, number: int) -> Question:
    options = entry.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 4 or not all(
            isinstance(option, str) and option.strip() for option in options):
        raise ContentError(f"quiz question {number}: 2 to 4 options, each a non-empty string")
    answer = entry.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(options):
        raise ContentError(f"quiz question {number}: answer must be the index of an option")
    return Question(_text(entry, "question"), tuple(options), answer, _text(entry, "explanation"))


def _check(module: Module) -> None:
    if not 3 <= len(module.quiz) <= 5:
        raise ContentError("the quiz needs 3 to 5 questions")
    if module.icon not in ICONS:
        raise ContentError(f"icon {module.icon!r} is not one of {', '.join(ICONS)}")
    if module.link not in LINKS:
        raise ContentError(f"link {module.link!r} is not one of {', '.join(LINKS)}")
    if not isinstance(module.updated, date):
        raise ContentError("updated must be a date like 2026-11-23")
    if module.body.count("\n## ") + module.body.startswith("## ") < 1:
        raise ContentError("the lessons need at least one '## ' heading")
    if module.lang != DEFAULT_LANGUAGE and not module.source_sha256:
        raise ContentError("a translation needs source_sha256 (of the English file)")


# --- loading ---------------------------------------------------------------------------------


def content_root() -> Path:
    return project_folder("content")


@cache
def _load(root: Path, lang: str, stamp: tuple) -> tuple[Module, ...]:
    modules = []
    for path in sorted((root / lang).glob("*.md")):
        modules.append(parse_module(path.read_text(encoding="utf-8"), path.stem, lang))
    return tuple(sorted(modules, key=lambda module: module.order))


def modules(lang: str, root: Path | None = None) -> tuple[Module, ...]:
    """The modules of a language, in order; English where a translation is missing."""
    root = root or content_root()
    own = {module.slug: module for module in _load(root, lang, _stamp(root / lang))}
    english = _load(root, DEFAULT_LANGUAGE, _stamp(root / DEFAULT_LANGUAGE))
    return tuple(own.get(module.slug, module) for module in english)


def module(lang: str, slug: str, root: Path | None = None) -> Module | None:
    """One module in a language (falling back to English), or None."""
    return next((found for found in modules(lang, root) if found.slug == slug), None)


def _stamp(folder: Path) -> tuple:
    """Changes when a file changes, so an edited module is reloaded without a restart."""
    if not folder.is_dir():
        return ()
    return tuple((path.name, path.stat().st_mtime_ns) for path in sorted(folder.glob("*.md")))


# --- checking -------------------------------------------------------------------------------


def check(root: Path | None = None, languages: tuple[str, ...] = tuple(LANGUAGES)) -> dict[str, list[str]]:
    """Problems per language: missing modules, stale translations, front matter errors,
    broken links. An empty list means the language is complete and current."""
    root = root or content_root()
    english = {path.stem: _English(path) for path in sorted((root / DEFAULT_LANGUAGE).glob("*.md"))}
    report: dict[str, list[str]] = {}
    for lang in languages:
        problems = []
        folder = root / lang
        for slug, source in english.items():
            path = folder / f"{slug}.md"
            if not path.exists():
                problems.append(f"{slug}: missing")
                continue
            problems += [f"{slug}: {problem}" for problem in _file_problems(path, slug, lang, source, english)]
        extra = sorted(path.stem for path in folder.glob("*.md") if path.stem not in english)
        problems += [f"{slug}: no English module of this name" for slug in extra]
        report[lang] = problems
    return report


class _English:
    """An English module as translations are checked against it: parsed once, or None if
    it does not parse (its own check reports why)."""

    def __init__(self, path: Path) -> None:
        self.sha256 = sha256_of_file(path)
        try:
            self.module: Module | None = parse_module(path.read_text(encoding="utf-8"), path.stem,
                                                      DEFAULT_LANGUAGE)
        except (ContentError, UnicodeDecodeError):
            self.module = None


_LESSON_LINK = re.compile(r"/([^/]+)/learn/([^/?#]+)/?")


def _file_problems(path: Path, slug: str, lang: str, source: _English, english: dict) -> list[str]:
    try:
        found = parse_module(path.read_text(encoding="utf-8"), slug, lang)
    except (ContentError, UnicodeDecodeError) as error:
        return [str(error)]
    problems = []
    original = source.module
    if lang != DEFAULT_LANGUAGE:
        if found.source_sha256 != source.sha256:
            problems.append("stale: translated from an older English version")
        if original is not None and [q.answer for q in found.quiz] != [q.answer for q in original.quiz]:
            problems.append("quiz answers differ from the English")
        if original is not None and (found.order, found.icon, found.link) != (original.order, original.icon,
                                                                                original.link):
            problems.append("order, icon or link differ from the English")
    for target in found.links:
        lesson = _LESSON_LINK.fullmatch(target)
        if target.startswith("/learn/") or (lesson and (lesson[1] not in LANGUAGES or lesson[2] not in english)):
            problems.append(f"broken link {target} (a lesson is /<language>/learn/<module>)")
        elif not safe_link(target):
            problems.append(f"link {target!r} is neither http(s), mailto nor a site path")
    return problems
