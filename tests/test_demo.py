"""`remit demo`, the README's first command, end to end in a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_builds_the_database_and_serves_the_corridors(tmp_path):
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REMIT_")}
    environment["REMIT_INSTANCE_PATH"] = str(tmp_path / "instance")
    server = subprocess.Popen([sys.executable, "-m", "remit", "demo", "--port", str(port)],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "demo did not start within 30 s"
                time.sleep(0.2)
        assert health.status_code == 200
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5, follow_redirects=True).text
        assert page.count('href="/en/send/') == 21 and "Uzbekistan" in page
        assert "Demo data: recorded sample prices" in page
        results = httpx.get(f"http://127.0.0.1:{port}/en/send/ru-tj?amount=10000", timeout=5).text
        assert results.count('<li class="offer') >= 5  # collected through the real pipeline
        assert (tmp_path / "instance" / "remit.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
