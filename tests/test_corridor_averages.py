"""The World Bank's published corridor averages: import, and the corridor page's line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from remit.catalog import sync_catalog
from remit.models import CorridorAverage
from remit.rpw.averages import parse_average
from tests.conftest import SHARED

AVERAGES = SHARED / "rpw" / "corridor_averages_2011Q1_2020Q3.csv"


def test_a_row_is_parsed_and_bad_rows_are_refused():
    assert parse_average({"quarter": "2011Q1", "source_code": "rus", "destination_code": "TJK",
                          "avg_total_cost_pct": "2.46"}) == ("RUS", "TJK", "2011Q1", Decimal("2.46"))
    for bad in ({"quarter": "2011-1"}, {"source_code": "RU"}, {"avg_total_cost_pct": "NaN"},
                {"avg_total_cost_pct": "abc"}, {"destination_code": "RUS"}):
        row = {"quarter": "2011Q1", "source_code": "RUS", "destination_code": "TJK",
               "avg_total_cost_pct": "2.46"} | bad
        with pytest.raises(ValueError):
            parse_average(row)


def test_import_is_idempotent_and_reports_rejections(runner, engine, tmp_path):
    sample = tmp_path / "averages.csv"
    sample.write_text("quarter,source_code,source_name,destination_code,destination_name,avg_total_cost_pct\n"
                      "2011Q1,RUS,Russian Federation,TJK,Tajikistan,2.46\n"
                      "2011Q3,RUS,Russian Federation,TJK,Tajikistan,2.65\n"
                      "2011Q5,RUS,Russian Federation,TJK,Tajikistan,2.65\n")
    result = runner.invoke(args=["import", "rpw-averages", str(sample)])
    assert result.exit_code == 0, result.output
    assert "3 rows: 2 added, 0 revised, 0 already present, 1 rejected" in result.output
    assert "line 4: quarter '2011Q5'" in result.output
    assert "2 already present" in runner.invoke(args=["import", "rpw-averages", str(sample)]).output
    sample.write_text(sample.read_text().replace("2.65", "2.70"))
    assert "1 revised" in runner.invoke(args=["import", "rpw-averages", str(sample)]).output
    with Session(engine) as session:
        values = sorted(a.total_cost_pct for a in session.exec(select(CorridorAverage)))
    assert values == [Decimal("2.46"), Decimal("2.70")]


def test_a_file_of_another_layout_is_refused_whole(runner, engine, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    result = runner.invoke(args=["import", "rpw-averages", str(other)])
    assert result.exit_code != 0 and "no column quarter" in result.output
    with Session(engine) as session:
        assert session.exec(select(CorridorAverage)).first() is None


@pytest.mark.skipif(not AVERAGES.exists(), reason="../shared/rpw is not here")
def test_real_averages_draw_the_world_bank_line(app, runner, tmp_path):
    engine = app.extensions["remit.engine"]
    with Session(engine) as session:
        sync_catalog(session)
        session.commit()
    result = runner.invoke(args=["import", "rpw-averages", str(AVERAGES)])
    assert "10417 rows: 10417 added" in result.output
    html = app.test_client().get("/en/corridor/ru-tj").get_data(as_text=True)
    assert 'class="wb"' in html and "World Bank Remittance Prices Worldwide, by quarter" in html
    assert "<th scope=\"row\">Q1 2011</th><td>2.46%</td>" in html
