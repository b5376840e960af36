"""The site benchmark's server: gunicorn on a free port, its CPU time, plain HTTP GETs."""

from __future__ import annotations

import gzip
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(folder: Path, url: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn -w N on 127.0.0.1, in a session of its own (killed as a group at the end)."""
    environ = os.environ | {"REMIT_INSTANCE_PATH": str(folder), "REMIT_DATABASE_URL": url,
                            "REMIT_SECRET_KEY": "bench"}
    # no --access-logfile: gunicorn writes no access log unless asked to
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "--error-logfile", str(folder / "gunicorn.log"),
               "remit:create_app()"]
    return subprocess.Popen(command, env=environ, cwd=folder, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # the master stops its workers
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # any worker left behind
    except ProcessLookupError:
        pass
    server.wait()


def server_cpu_seconds(master: int) -> float:
    """User + system CPU time so far of the gunicorn master and its workers, from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if master in (pid, parent):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_up(server: subprocess.Popen, base: str, folder: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    log = folder / "gunicorn.log"
    sys.exit("gunicorn did not answer /healthz:\n" + (log.read_text()[-3000:] if log.exists() else ""))


def get(port: int, path: str, encoding: str) -> tuple[int, dict, bytes]:
    """One GET; the body as it came on the wire (still compressed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": encoding})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def settle(port: int, timeout: float = 15) -> None:
    """Wait until the server is idle: a load run leaves requests in the listen queue (the
    clients have gone, the sync workers still serve them), which would delay the next run."""
    deadline, quick = time.monotonic() + timeout, 0
    time.sleep(0.2)
    while quick < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        get(port, "/healthz", "identity")
        quick = quick + 1 if time.perf_counter() - started < 0.02 else 0
        time.sleep(0.05)


def decoded(headers: dict, body: bytes) -> bytes:
    coding = headers.get("content-encoding", "identity")
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "br":
        import brotli
        return brotli.decompress(body)
    assert coding == "identity", coding
    return body
