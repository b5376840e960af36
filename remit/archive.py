"""Content-addressed archive of raw material: every published number can be traced back.

A file is stored once under ``<archive>/sha256/<first two hex digits>/<full digest>``; storing
the same bytes again is a no-op. Writes go to a temporary file first, so a crash never
leaves a half-written entry under a real digest.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def path_for(archive: Path, digest: str) -> Path:
    """Where the entry with this sha256 lives."""
    return archive / "sha256" / digest[:2] / digest


def store_stream(archive: Path, stream: BinaryIO) -> str:
    """Copy a binary stream into the archive; return its sha256 (hex)."""
    archive.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, temporary = tempfile.mkstemp(dir=archive, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        target = path_for(archive, digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return digest.hexdigest()


def store_file(archive: Path, path: Path) -> str:
    """Archive a file by content; return its sha256 (hex)."""
    with open(path, "rb") as stream:
        return store_stream(archive, stream)


def store_bytes(archive: Path, data: bytes) -> str:
    """Archive bytes by content; return their sha256 (hex)."""
    return store_stream(archive, io.BytesIO(data))


def sha256_of_file(path: Path) -> str:
    """The sha256 (hex) of a file, without archiving it."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def prune(archive: Path, older_than_days: int, *, now: float | None = None) -> tuple[int, int]:
    """Delete entries last written more than ``older_than_days`` ago; return (files, bytes).

    Stored observations keep their sha256 either way; only the raw bytes go.
    """
    cutoff = (now if now is not None else time.time()) - older_than_days * 86_400
    files = size = 0
    for entry in (archive / "sha256").glob("*/*"):
        status = entry.stat()
        if status.st_mtime < cutoff:
            entry.unlink()
            files += 1
            size += status.st_size
    return files, size
