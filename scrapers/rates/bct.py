"""Central Bank of Tunisia (BCT): average TND rates on the interbank market, from an HTML page.

There is no API: the archive form POSTs ``input=YYYY-MM-DD&langue=_AN`` to
``cours_archiv.jsp`` (the Referer is the form page, spelt ``cours_archive.jsp``) and gets back
an HTML fragment, in French whatever ``langue`` says, that claims ISO-8859-1 in a meta tag
while the bytes are UTF-8. It holds two tables with the same headers (Monnaie, Sigle,
Unité, Valeur): the interbank average rates ("Cours Moyens des Devises Cotées ... Marché des
Changes interbancaire", four decimals), which is the reference used here, and the rates for
banknotes and travellers' cheques ("Change Manuel", three decimals). Values have a decimal
comma and are quoted per 1, 10, 100 or 1000 units (``Unité``: 10 DZD, 100 NOK, 1000 JPY).
The heading above each table states the day ("Journée du 18/05/2026"). The BCT publishes
these averages for each business day of the Tunisian interbank market.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from urllib.parse import parse_qs

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit
from scrapers.formats import check_new, currency_code

NAME = "bct"
HOME_CURRENCY = "TND"

URL = "https://www.bct.gov.tn/bct/siteprod/cours_archiv.jsp"
HEADERS = {"Referer": "https://www.bct.gov.tn/bct/siteprod/cours_archive.jsp",
           "Content-Type": "application/x-www-form-urlencoded"}
# Header texts, accents and case removed, that identify a rates table wherever it sits.
CODE, UNIT, VALUE = "sigle", "unite", "valeur"
# The banknote table has the same headers; its heading is how it is told apart.
BANKNOTES = "change manuel"
_DAY = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The archive form POST for ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    body = f"input={day.isoformat()}&langue=_AN".encode("ascii")
    return [Request("POST", URL, headers=dict(HEADERS), body=body)]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """Per-unit interbank rates of the page, dated by the page's own 'Journée du'."""
    # UTF-8 in fact, whatever the meta tag says; only ASCII cells are read.
    collector = _TableCollector()
    collector.feed(body.decode("utf-8", errors="replace"))
    collector.close()
    table, header_at, columns = _interbank_table(collector.tables)
    as_of = _page_date(table.heading) or _requested_date(request)
    return _observations(table.rows[header_at + 1:], columns, as_of)


@dataclass
class _Table:
    """The cell texts of one table, row by row, with the headings seen since the last one."""

    heading: str
    rows: list[list[str]] = field(default_factory=list)
    closed: bool = False


class _TableCollector(HTMLParser):
    """Collects every (non-nested) table and the heading text (h1-h6) written before it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self._heading: list[str] = []
        self._in_heading = False
        self._table: _Table | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._in_heading = True
        elif tag == "table":
            self._table = _Table(" ".join(" ".join(self._heading).split()))
            self.tables.append(self._table)
            self._heading = []
        elif tag == "tr" and self._table is not None:
            self._table.rows.append([])
        elif tag in {"td", "th"} and self._table is not None and self._table.rows:
            self._cell = []
            self._table.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._in_heading = False
        elif tag in {"td", "th"}:
            self._cell = None
        elif tag == "table" and self._table is not None:
            self._table.closed = True
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self._heading.append(data)
        if self._cell is not None and self._table is not None:
            self._cell.append(data)
            self._table.rows[-1][-1] = " ".join("".join(self._cell).split())


def _plain(text: str) -> str:
    """Lower case without accents, so 'Unité' and 'UNITE' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _header(table: _Table) -> tuple[int, dict[str, int]] | None:
    """The index of the first row with the rate headers and their column positions."""
    for index, row in enumerate(table.rows):
        names = [_plain(cell) for cell in row]
        if {CODE, UNIT, VALUE} <= set(names):
            return index, {name: names.index(name) for name in (CODE, UNIT, VALUE)}
    return None


def _interbank_table(tables: list[_Table]) -> tuple[_Table, int, dict[str, int]]:
    """The one complete rates table that is not the banknote table, with its header."""
    candidates = [(t, header) for t in tables
                  if (header := _header(t)) is not None and BANKNOTES not in _plain(t.heading)]
    if len(candidates) != 1:
        raise FormatError(f"bct: expected one interbank rates table, found {len(candidates)}")
    table, (header_at, columns) = candidates[0]
    if not table.closed:
        raise FormatError("bct: the rates table is cut off (no closing </table>)")
    return table, header_at, columns


def _page_date(heading: str) -> date | None:
    """The day the page states above the table ('Journée du DD/MM/YYYY'), if it does."""
    match = _DAY.search(heading)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise FormatError(f"bct: {match.group(0)!r} in the heading is not a date") from None


def _requested_date(request: Request) -> date:
    """The ``input`` day of the form POST, for a page that does not state its day."""
    form = parse_qs((request.body or b"").decode("ascii", errors="replace"))
    try:
        return date.fromisoformat(form["input"][0])
    except (KeyError, ValueError):
        raise FormatError("bct: the page states no date, the request no input day") from None


def _observations(rows: list[list[str]], columns: dict[str, int],
                  as_of: date) -> list[RateObservation]:
    """One per-unit observation per currency row."""
    found: dict[str, RateObservation] = {}
    for row in rows:
        if len(row) <= max(columns.values()):
            raise FormatError(f"bct: rates row {row!r} has missing cells")
        code = currency_code(row[columns[CODE]], NAME, "Sigle")
        check_new(found, code, NAME, what=code, where="in the interbank table")
        value = decimal_from(row[columns[VALUE]], what=f"bct {code} Valeur")
        unit = decimal_from(row[columns[UNIT]], what=f"bct {code} Unité")
        rate = per_unit(value, unit, what=f"bct {code}")
        found[code] = RateObservation(NAME, code, HOME_CURRENCY, rate, as_of)
    if not found:
        raise FormatError("bct: the rates table has no rows")
    return list(found.values())
