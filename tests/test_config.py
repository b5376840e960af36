"""Settings: defaults, environment overrides, validation, the secret key rule."""

from __future__ import annotations

import stat

import pytest

from remit import create_app
from remit.config import ConfigError, load_settings


def test_defaults_live_in_the_instance_folder(tmp_path):
    values = load_settings(str(tmp_path), environ={})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'remit.db'}"
    assert values["ARCHIVE_PATH"] == str(tmp_path / "archive")
    assert values["QUOTE_MAX_AGE_DAYS"] == 14


def test_environment_overrides_and_explicit_config_wins(tmp_path):
    environ = {"REMIT_QUOTE_MAX_AGE_DAYS": "3", "REMIT_DATABASE_URL": "sqlite:///x.db"}
    values = load_settings(str(tmp_path), {"DATABASE_URL": "sqlite://"}, environ=environ)
    assert values["QUOTE_MAX_AGE_DAYS"] == 3
    assert values["DATABASE_URL"] == "sqlite://"


@pytest.mark.parametrize("name, raw", [("REMIT_QUOTE_MAX_AGE_DAYS", "soon"),
                                       ("REMIT_QUOTE_MAX_AGE_DAYS", "-1"),
                                       ("REMIT_PRODUCTION", "maybe")])
def test_malformed_values_are_named(tmp_path, name, raw):
    with pytest.raises(ConfigError, match=name):
        load_settings(str(tmp_path), environ={name: raw})


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_settings(str(tmp_path), environ={})["SECRET_KEY"]
    second = load_settings(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second and len(first) == 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="REMIT_SECRET_KEY must be set"):
        load_settings(str(tmp_path), environ={"REMIT_PRODUCTION": "1"})
    values = load_settings(str(tmp_path), environ={"REMIT_PRODUCTION": "1", "REMIT_SECRET_KEY": "k"})
    assert values["SECRET_KEY"] == "k"
    assert not (tmp_path / "secret_key").exists()


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REMIT_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.instance_path == str(tmp_path / "inst")
    assert (tmp_path / "inst" / "secret_key").exists()
    app.extensions["remit.engine"].dispose()
