"""The content-addressed archive: store once, trace back, prune by age."""

from __future__ import annotations

import hashlib
import os
import time

from remit import archive


def test_store_is_content_addressed_and_idempotent(tmp_path):
    digest = archive.store_bytes(tmp_path, b"<ValCurs/>")
    assert digest == hashlib.sha256(b"<ValCurs/>").hexdigest()
    assert archive.path_for(tmp_path, digest).read_bytes() == b"<ValCurs/>"
    assert archive.store_bytes(tmp_path, b"<ValCurs/>") == digest
    assert len(list((tmp_path / "sha256").glob("*/*"))) == 1
    assert not list(tmp_path.glob(".incoming-*"))


def test_prune_deletes_only_what_is_older_than_the_retention(tmp_path, runner, app):
    old = archive.path_for(tmp_path, archive.store_bytes(tmp_path, b"old"))
    new = archive.path_for(tmp_path, archive.store_bytes(tmp_path, b"new"))
    month_ago = time.time() - 31 * 86_400
    os.utime(old, (month_ago, month_ago))
    assert archive.prune(tmp_path, 30) == (1, 3)
    assert not old.exists() and new.exists()
    app.config["ARCHIVE_PATH"] = str(tmp_path)
    result = runner.invoke(args=["archive", "prune", "--older-than-days", "1"])
    assert result.exit_code == 0 and "deleted 0 archived files" in result.output
