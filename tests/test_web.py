"""The web side so far: the health check and the corridor list."""

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


def test_corridor_list_shows_names_and_counts(client, engine, runner, rpw_sample):
    with Session(engine) as session:
        sync_catalog(session)
        session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.count("<tr id=") == 21
    assert "Tajikistan" in page and "Kosovo" in page and "not yet" in page
    assert 'title="Tajikistani Somoni">TJS' in page
    # imported RPW corridors are data, not part of remit's own list
    runner.invoke(args=["import", "rpw", str(rpw_sample)])
    assert client.get("/").get_data(as_text=True).count("<tr id=") == 21


def test_empty_database_says_what_to_do(client):
    assert "remit catalog sync" in client.get("/").get_data(as_text=True)
