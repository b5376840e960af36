"""Reading World Bank RPW files: the official .xlsx workbook or a CSV in its layout.

Yields raw rows as dicts keyed by normalised column names, with the row's location for
error messages. Workbooks are streamed (openpyxl read-only mode), never loaded whole.
A file that is not in the RPW layout, or is damaged, raises ``RpwFileError`` at once.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from typing import NamedTuple
from pathlib import Path

REQUIRED_COLUMNS = (
    "id", "period", "source_code", "source_name", "destination_code", "destination_name",
    "firm", "firm_type", "access point", "speed actual",
    "cc1 lcu amount", "cc1 denomination amount", "cc1 lcu code", "cc1 lcu fee", "cc1 lcu fx rate",
    "cc2 lcu amount", "cc2 denomination amount", "cc2 lcu code", "cc2 lcu fee", "cc2 lcu fx rate",
    "inter lcu bank fx", "transparent", "pickup method", "date",
)
OPTIONAL_COLUMNS = ("payment instrument", "receiving network coverage", "cc1 fx margin",
                    "cc1 total cost %", "cc2 fx margin", "cc2 total cost %")
HEADER_SEARCH_ROWS = 30  # title rows a workbook may have above its header


class RpwFileError(ValueError):
    """The file cannot be read as RPW data; the message says where and why."""


class RawRow(NamedTuple):
    """One data row; where it is in the file is kept for messages."""

    line: int               # CSV line, or workbook row
    sheet: str | None       # the workbook sheet; None for CSV
    values: dict[str, object]

    @property
    def location(self) -> str:
        """'line 12' or "sheet 'Dataset' row 12"."""
        return f"line {self.line}" if self.sheet is None else f"sheet {self.sheet!r} row {self.line}"


def normalise_header(name: object) -> str:
    """'Inter LCU Bank FX ' -> 'inter lcu bank fx'; 'cc1_lcu_fee' -> 'cc1 lcu fee'."""
    text = str(name or "").strip().lower()
    if text in {"source_code", "source_name", "destination_code", "destination_name", "firm_type"}:
        return text
    return re.sub(r"[\s_]+", " ", text)


def _check_header(header: list[str], where: str) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RpwFileError(f"{where}: not the RPW column layout; missing columns: "
                           + ", ".join(missing))


def read_rows(path: Path, encoding: str = "utf-8-sig") -> Iterator[RawRow]:
    """Every data row of an RPW .xlsx or .csv file, in file order."""
    if not path.is_file():
        raise RpwFileError(f"{path}: no such file")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        yield from _read_workbook(path)
    else:
        yield from _read_csv(path, encoding)


def _read_csv(path: Path, encoding: str) -> Iterator[RawRow]:
    with open(path, newline="", encoding=encoding) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = [normalise_header(name) for name in next(reader, [])]
            _check_header(header, str(path.name))
            for record in reader:
                line = reader.line_num
                if not record or (not record[0].strip() and not any(f.strip() for f in record)):
                    continue  # a blank line, or one of empty fields
                if len(record) != len(header):
                    raise RpwFileError(
                        f"{path.name} line {line}: {len(record)} fields where the header has "
                        f"{len(header)}; the file is truncated or malformed")
                yield RawRow(line, None, dict(zip(header, record)))
        except UnicodeDecodeError as error:
            raise RpwFileError(f"{path.name} near line {reader.line_num + 1}: not {encoding} text "
                               f"({error.reason}); use --encoding") from None
        except csv.Error as error:
            raise RpwFileError(f"{path.name} line {reader.line_num}: malformed CSV ({error})") from None


def _read_workbook(path: Path) -> Iterator[RawRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise RpwFileError(f"{path.name}: not a readable .xlsx workbook, truncated or damaged "
                           f"({error})") from None
    try:
        sheets_read = 0
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = _find_sheet_header(rows)
            if header is None:
                continue  # a notes or metadata sheet
            sheets_read += 1
            first_data_row = header[1] + 1
            for number, record in enumerate(rows, start=first_data_row):
                if not any(cell not in (None, "") for cell in record):
                    continue
                yield RawRow(number, sheet.title, dict(zip(header[0], record, strict=False)))
        if sheets_read == 0:
            raise RpwFileError(f"{path.name}: no sheet in the RPW column layout (looked for "
                               f"{', '.join(REQUIRED_COLUMNS[:4])}, ... in the first "
                               f"{HEADER_SEARCH_ROWS} rows)")
    except zipfile.BadZipFile as error:
        raise RpwFileError(f"{path.name}: workbook damaged while reading ({error})") from None
    finally:
        workbook.close()


def _find_sheet_header(rows: Iterator[tuple]) -> tuple[list[str], int] | None:
    """The normalised header and its 1-based row number, if the sheet has the layout."""
    for number, record in enumerate(rows, start=1):
        header = [normalise_header(cell) for cell in record]
        if "id" in header and "firm" in header:
            _check_header(header, f"sheet header at row {number}")
            return header, number
        if number >= HEADER_SEARCH_ROWS:
            return None
    return None
