"""Lighthouse, mobile: performance and accessibility of home, results, corridor and lesson pages,
in English and Arabic, on the demo site. Median of --runs runs per page.

Targets (issues 4 and 5): performance >= 95 and accessibility 100 on every page.

Needs Node's npm (Lighthouse is installed into --lighthouse-dir on first use, from the npm
registry) and Chromium at $CHROME_PATH (default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PAGES = {
    "home": "/{lang}/",
    "results": "/{lang}/send/ru-tj?amount=10000",
    "corridor": "/{lang}/corridor/ru-tj",
    "lesson": "/{lang}/learn/true-cost-of-sending-money",
    "lessons": "/{lang}/learn/",
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_lighthouse(folder: Path) -> Path:
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(folder), "lighthouse@12"],
                       check=True)
    return binary


def start_demo(instance: Path, port: int) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REMIT_")}
    environment["REMIT_INSTANCE_PATH"] = str(instance)
    server = subprocess.Popen([sys.executable, "-m", "remit", "demo", "--port", str(port)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the demo site did not start")


def audit(lighthouse: Path, url: str, out: Path) -> dict[str, int]:
    environment = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    subprocess.run([str(lighthouse), url, "--output=json", f"--output-path={out}", "--quiet",
                    "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}"],
                   check=True, env=environment)
    report = json.loads(out.read_text())
    return {name: round(category["score"] * 100) for name, category in report["categories"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse-dir", type=Path, default=Path(tempfile.gettempdir()) / "remit-lighthouse")
    args = parser.parse_args()
    lighthouse = ensure_lighthouse(args.lighthouse_dir)
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        server = start_demo(Path(scratch) / "instance", port)
        try:
            rows, failed = [], False
            for lang in ("en", "ar"):
                for name, path in PAGES.items():
                    url = f"http://127.0.0.1:{port}{path.format(lang=lang)}"
                    scores = [audit(lighthouse, url, Path(scratch) / "report.json") for _ in range(args.runs)]
                    performance = statistics.median(s["performance"] for s in scores)
                    accessibility = statistics.median(s["accessibility"] for s in scores)
                    ok = performance >= 95 and accessibility == 100
                    failed |= not ok
                    rows.append(f"| {name:<8} | {lang} | {performance:>11} | {accessibility:>13} | {'PASS' if ok else 'FAIL'} |")
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Lighthouse mobile (simulated throttling), demo site, median of {args.runs} runs\n")
    print("| page     | lang | performance | accessibility | target |")
    print("|----------|------|-------------|---------------|--------|")
    print("\n".join(rows))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
