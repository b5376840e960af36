"""The remit command: catalogue, import, export, database, with clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def loaded(runner, rpw_sample):
    result = runner.invoke(args=["import", "rpw", str(rpw_sample)])
    assert result.exit_code == 0, result.output
    return runner


def test_catalog_sync_reports_then_changes_nothing(runner):
    first = runner.invoke(args=["catalog", "sync"])
    assert first.exit_code == 0 and "corridor: 21 new" in first.output
    second = runner.invoke(args=["catalog", "sync"])
    assert "nothing changed" in second.output


def test_import_prints_counts(runner, rpw_sample):
    result = runner.invoke(args=["import", "rpw", str(rpw_sample)])
    assert result.exit_code == 0
    assert "49 rows, 98 quotes added, 0 already present, 0 rejected" in result.output
    again = runner.invoke(args=["import", "rpw", str(rpw_sample)])
    assert "0 quotes added, 98 already present" in again.output


def test_import_reports_rejected_rows_and_bad_files(runner, rpw_sample, tmp_path):
    text = rpw_sample.read_text(encoding="utf-8").replace("24/Jan/2011", "Jan 24", 1)
    (tmp_path / "one-bad.csv").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import", "rpw", str(tmp_path / "one-bad.csv")])
    assert result.exit_code == 0
    assert "rejected line 2: date: 'Jan 24' is not a date" in result.output
    strict = runner.invoke(args=["import", "rpw", "--strict", str(tmp_path / "one-bad.csv")])
    assert strict.exit_code == 1 and "nothing imported (--strict)" in strict.output
    missing = runner.invoke(args=["import", "rpw", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "nope.csv: no such file" in missing.output
    (tmp_path / "wrong.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    wrong = runner.invoke(args=["import", "rpw", str(tmp_path / "wrong.csv")])
    assert wrong.exit_code == 1
    assert wrong.output.count("\n") == 1 and "missing columns: id, period" in wrong.output
    encoding = runner.invoke(args=["import", "rpw", "--encoding", "klingon", str(rpw_sample)])
    assert encoding.exit_code == 1 and "klingon" in encoding.output


def test_export_csv_has_the_documented_columns(loaded):
    from remit.export import COLUMNS

    result = loaded.invoke(args=["export", "quotes", "--corridor", "tza-ken"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert tuple(rows[0].keys()) == COLUMNS
    assert len(rows) == 24 and {row["corridor"] for row in rows} == {"TZA-KEN"}
    first = next(row for row in rows if row["source_ref"] == "14981:cc1")
    assert first["fee"] == "20650" and first["exchange_rate"] == "0.000651"
    assert first["fx_margin_pct"] == "1.3636" and first["total_cost_pct"] == "8.3636"
    assert first["transparent"] == "true" and first["received_amount"] == ""


def test_export_json_and_filters(loaded):
    result = loaded.invoke(args=["export", "quotes", "--format", "json", "--source", "rpw",
                                 "--since", "2011-06-01"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 26 and all(row["period"] == "2011Q3" for row in rows)
    placeholder = next(row for row in rows if row["source_ref"] == "28349:cc1")
    assert placeholder["total_cost_pct"] is None and placeholder["transparent"] is False
    empty = loaded.invoke(args=["export", "quotes", "--format", "json", "--since", "2030-01-01"])
    assert json.loads(empty.output) == []


@pytest.mark.parametrize("args, message", [
    (["--corridor", "RUSTJK"], "is not an ISO3 pair such as RUS-TJK"),
    (["--corridor", "RUS-XXX"], "unknown corridor RUS-XXX"),
    (["--source", "nowhere"], "unknown source 'nowhere' (sources with quotes: rpw)"),
    (["--since", "yesterday"], "'yesterday' does not match the format '%Y-%m-%d'"),
    (["--format", "xml"], "'xml' is not one of"),
])
def test_export_bad_arguments(loaded, args, message):
    result = loaded.invoke(args=["export", "quotes", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_db_upgrade_and_current(bare_app):
    runner = bare_app.test_cli_runner()
    assert "database: empty" in runner.invoke(args=["db", "current"]).output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "database at revision 0008" in result.output
    assert "database: 0008; newest: 0008" in runner.invoke(args=["db", "current"]).output
