"""Importing the World Bank RPW dataset: real rows, both file kinds, quirks and bad files."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from remit.archive import path_for
from remit.export import QuoteFilter, export_rows
from remit.models import CollectionRun, Corridor, Provider, Quote, Service
from remit.rpw import RpwFileError, import_rpw
from remit.vocab import PickupMethod, Speed

PLACEHOLDER_ROW = "28349"  # Posta Kenya: rates written as 1.0, transparent = no


def read_sample(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(engine, path, tmp_path, **options):
    return import_rpw(engine, path, tmp_path / "archive", **options)


def exported(engine) -> dict[str, dict]:
    with Session(engine) as session:
        return {row["source_ref"]: row for row in export_rows(session, QuoteFilter())}


def count_quotes(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Quote)).one()


def test_sample_imports_and_reproduces_the_world_banks_figures(engine, rpw_sample, tmp_path):
    report = run_import(engine, rpw_sample, tmp_path)
    assert (report.rows, report.quotes_added, report.rejected) == (49, 98, [])
    assert report.created["corridor"] == 5
    _, rows = read_sample(rpw_sample)
    data = exported(engine)
    checked = 0
    for row in rows:
        for tier in ("cc1", "cc2"):
            quote = data[f"{row['id']}:{tier}"]
            if row["id"] == PLACEHOLDER_ROW:
                continue
            assert abs(quote["fx_margin_pct"] - Decimal(row[f"{tier} fx margin"])) <= Decimal("0.01"), row["id"]
            assert abs(quote["total_cost_pct"] - Decimal(row[f"{tier} total cost %"])) <= Decimal("0.01"), row["id"]
            checked += 1
    assert checked == 96


def test_placeholder_rates_are_unknown_not_zero(engine, rpw_sample, tmp_path):
    run_import(engine, rpw_sample, tmp_path)
    quote = exported(engine)[f"{PLACEHOLDER_ROW}:cc1"]
    assert quote["exchange_rate"] is None and quote["reference_rate"] is None
    assert quote["fx_margin_pct"] is None and quote["total_cost_pct"] is None
    assert quote["transparent"] is False
    assert quote["fee"] == Decimal("1500")


def test_rows_map_to_corridors_providers_services_and_tiers(engine, rpw_sample, tmp_path):
    run_import(engine, rpw_sample, tmp_path)
    data = exported(engine)
    first = data["14981:cc1"]
    assert first["corridor"] == "TZA-KEN" and first["period"] == "2011Q1"
    assert first["provider"] == "MoneyGram" and first["firm_type"] == "money_transfer_operator"
    assert first["collected_at"] == "2011-01-24T00:00:00Z"
    assert first["amount_tier"] == 200 and data["14981:cc2"]["amount_tier"] == 500
    assert first["send_currency"] == "TZS" and first["receive_currency"] == "USD"  # USD-quoted rate
    assert first["speed"] == Speed.LESS_THAN_ONE_HOUR and first["pickup_method"] == PickupMethod.CASH
    assert data["14980:cc1"]["pickup_method"] == PickupMethod.OWN_BANK_ACCOUNT
    assert first["received_amount"] is None  # RPW does not say whether the fee is on top
    with Session(engine) as session:
        # MoneyGram TZA-RWA twice with the same attributes but different speeds: two services
        corridor = session.exec(select(Corridor).where(Corridor.source_country == "TZA", Corridor.destination_country == "RWA")).one()
        moneygram = session.exec(select(Provider).where(Provider.slug == "moneygram")).one()
        services = session.exec(select(Service).where(Service.corridor_id == corridor.id,
                                                      Service.provider_id == moneygram.id)).all()
        assert len(services) == 2


def test_reimport_adds_nothing(engine, rpw_sample, tmp_path):
    run_import(engine, rpw_sample, tmp_path)
    again = run_import(engine, rpw_sample, tmp_path)
    assert (again.quotes_added, again.quotes_already_present) == (0, 98)
    assert count_quotes(engine) == 98
    assert sum(again.created.values()) == 0


def test_file_is_archived_and_traceable(engine, rpw_sample, tmp_path):
    report = run_import(engine, rpw_sample, tmp_path)
    stored = path_for(tmp_path / "archive", report.raw_sha256)
    assert stored.read_bytes() == rpw_sample.read_bytes()
    with Session(engine) as session:
        run = session.get(CollectionRun, report.run_id)
        assert (run.status, run.stored, run.raw_sha256) == ("ok", 98, report.raw_sha256)
        hashes = set(session.exec(select(Quote.raw_sha256)))
    assert hashes == {report.raw_sha256}


def test_later_spellings_of_dates_and_flags(engine, rpw_sample, tmp_path):
    header, rows = read_sample(rpw_sample)
    for row in rows:
        row["date"] = "2025-08-21 00:00:00"
        row["transparent"] = row["transparent"].capitalize()
        row["period"] = "2025_3Q"
    report = run_import(engine, write_csv(tmp_path / "later.csv", header, rows), tmp_path)
    assert report.quotes_added == 98 and not report.rejected
    data = exported(engine)
    assert data["14981:cc1"]["collected_at"] == "2025-08-21T00:00:00Z"
    assert data["14981:cc1"]["period"] == "2025Q3"
    assert data["14981:cc1"]["transparent"] is True
    assert data[f"{PLACEHOLDER_ROW}:cc1"]["transparent"] is False


def _workbook(path: Path, header: list[str], rows: list[dict]) -> Path:
    """The official layout: title rows above the header, rows split over two sheets."""
    book = Workbook(write_only=True)
    notes = book.create_sheet("Notes")
    notes.append(["Remittance Prices Worldwide", "World Bank, CC BY 4.0"])
    for title, part in (("Dataset (from 2016 Q1)", rows[:30]), ("Dataset (2011-2015)", rows[30:])):
        sheet = book.create_sheet(title)
        sheet.append(["Remittance Prices Worldwide dataset"])
        sheet.append([])
        sheet.append(header)
        for row in part:
            sheet.append([_cell(row[column]) for column in header])
    book.save(path)
    return path


def _cell(value: str):
    try:
        return float(value)
    except ValueError:
        return value or None


def test_xlsx_workbook_gives_the_same_quotes_as_the_csv(engine, rpw_sample, tmp_path):
    header, rows = read_sample(rpw_sample)
    report = run_import(engine, _workbook(tmp_path / "rpw.xlsx", header, rows), tmp_path)
    assert (report.rows, report.quotes_added, report.rejected) == (49, 98, [])
    from_xlsx = exported(engine)
    again = run_import(engine, rpw_sample, tmp_path)
    assert again.quotes_added == 0  # the same ids: nothing twice across file kinds
    for ref, row in from_xlsx.items():
        assert row["fee"] == Decimal(next(r for r in rows if r["id"] == ref.split(":")[0])[
            f"{ref.split(':')[1]} lcu fee"])
        assert row["exchange_rate"] in (None, Decimal(next(
            r for r in rows if r["id"] == ref.split(":")[0])[f"{ref.split(':')[1]} lcu fx rate"]))


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imported(engine, rpw_sample, tmp_path):
    header, rows = read_sample(rpw_sample)
    rows[0]["cc1 lcu fee"] = "abc"
    rows[1]["cc1 lcu fee"] = "-5"
    rows[2]["date"] = "someday"
    rows[3]["id"] = rows[4]["id"]
    rows[5]["cc1 lcu code"] = "XYZ"
    rows[6]["source_code"] = "TZ"
    report = run_import(engine, write_csv(tmp_path / "bad.csv", header, rows), tmp_path)
    reasons = dict(report.rejected)
    assert reasons == {
        "line 2": "cc1 lcu fee: 'abc' is not a number",
        "line 3": "cc1 lcu fee: negative (-5)",
        "line 4": "date: 'someday' is not a date (expected e.g. 24/Jan/2011 or 2025-08-21)",
        "line 6": f"id {rows[4]['id']} appears twice (first at line 5)",
        "line 7": "cc1 lcu code: XYZ is not a currency code",
        "line 8": "source_code: TZ is not an ISO alpha-3 country code",
    }
    assert report.quotes_added == (49 - 6) * 2


def test_strict_import_writes_nothing_when_a_row_is_rejected(engine, rpw_sample, tmp_path):
    header, rows = read_sample(rpw_sample)
    rows[10]["cc2 lcu fee"] = "n.a."
    report = run_import(engine, write_csv(tmp_path / "bad.csv", header, rows), tmp_path, strict=True)
    assert not report.committed and len(report.rejected) == 1
    assert count_quotes(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(CollectionRun.status)).one() == "failed"


def test_dry_run_checks_without_writing(engine, rpw_sample, tmp_path):
    report = run_import(engine, rpw_sample, tmp_path, dry_run=True)
    assert report.quotes_added == 98 and not report.committed
    assert count_quotes(engine) == 0
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.replace("inter lcu bank fx", "interbank"), "missing columns: inter lcu bank fx"),
    (lambda text: text[: len(text) * 2 // 3], "fields where the header has 39; the file is truncated"),
    (lambda text: "name,value\nfoo,1\n", "not the RPW column layout"),
    (lambda text: "", "not the RPW column layout"),
])
def test_broken_files_fail_whole_and_write_nothing(engine, rpw_sample, tmp_path, damage, message):
    broken = tmp_path / "broken.csv"
    broken.write_text(damage(rpw_sample.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RpwFileError, match=message):
        run_import(engine, broken, tmp_path)
    assert count_quotes(engine) == 0
    with Session(engine) as session:
        run = session.exec(select(CollectionRun)).one()
        assert run.status == "failed" and message.split(":")[0] in run.error
        assert session.exec(select(func.count()).select_from(Corridor)).one() == 0


def test_damaged_workbook_and_wrong_encoding(engine, rpw_sample, tmp_path):
    header, rows = read_sample(rpw_sample)
    book = _workbook(tmp_path / "rpw.xlsx", header, rows)
    book.write_bytes(book.read_bytes()[:2000])
    with pytest.raises(RpwFileError, match="not a readable .xlsx workbook"):
        run_import(engine, book, tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(rpw_sample.read_bytes().replace(b"Barclays", "Barclays Société".encode("latin-1")))
    with pytest.raises(RpwFileError, match="not utf-8-sig text"):
        run_import(engine, latin, tmp_path)
    report = run_import(engine, latin, tmp_path, encoding="latin-1")
    assert report.quotes_added == 98
    with Session(engine) as session:
        assert session.exec(select(Provider).where(Provider.name == "Barclays Société")).one()


def test_workbook_without_the_layout(engine, tmp_path):
    book = Workbook()
    book.active.append(["something", "else"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(RpwFileError, match="no sheet in the RPW column layout"):
        run_import(engine, tmp_path / "other.xlsx", tmp_path)
