"""The health check and the home page's corridor list."""

from __future__ import annotations

from sqlmodel import Session

from remit.catalog import sync_catalog


def test_health_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_unavailable_when_the_database_is_down(tmp_path):
    from remit import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_home_lists_the_catalogue_corridors_by_name(client, engine, runner, rpw_sample):
    with Session(engine) as session:
        sync_catalog(session)
        session.commit()
    page = client.get("/en/").get_data(as_text=True)
    assert page.count('href="/en/send/') == 21
    assert "Russia → Tajikistan" in page and "Germany → Kosovo" in page
    assert "TJS · Tajikistani Somoni" in page
    # imported RPW corridors are data, not part of remit's own list
    runner.invoke(args=["import", "rpw", str(rpw_sample)])
    assert client.get("/en/").get_data(as_text=True).count('href="/en/send/') == 21
