"""The site benchmark's load generators: wrk (with a Lua script that also counts non-2xx
answers), or Python threads where wrk is missing; and the median of rounds."""

from __future__ import annotations

import itertools
import json
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

AMOUNT_SPAN = 790_000  # RUB 10,000 .. 800,000: inside the USD 5 .. 10,000 limits at 80 RUB/USD

WRK_SCRIPT = r"""
-- args: path, "vary" or "fixed", base offset, number of wrk threads
local threads, next_id = {}, 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  path, vary, base, nthreads = args[1], args[2] == "vary", tonumber(args[3]), tonumber(args[4])
  counter, non2xx = 0, 0
end
function request()
  if vary then
    local n = (base + counter * nthreads + id) % AMOUNT_SPAN
    counter = counter + 1
    return wrk.format("GET", path .. (10000 + n))
  end
  return wrk.format("GET", path)
end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, ' ..
    '"socket_errors": %d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
""".replace("AMOUNT_SPAN", str(AMOUNT_SPAN))


class Wrk:
    name = "wrk"

    def __init__(self, folder: Path, threads: int) -> None:
        self.script = folder / "bench.lua"
        self.script.write_text(WRK_SCRIPT)
        self.threads = threads
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        self.version = (version.stdout + version.stderr).split("\n")[0].split(" [")[0].strip()

    def describe(self) -> str:
        return f"{self.version}, {self.threads} thread(s), Lua script for varying URLs and non-2xx"

    def run(self, port: int, path: str, vary: bool, base: int, clients: int, seconds: int,
            encoding: str) -> dict:
        command = ["wrk", "-t", str(self.threads), "-c", str(clients), "-d", f"{seconds}s",
                   "--timeout", "10s", "-H", f"Accept-Encoding: {encoding}", "-s", str(self.script),
                   f"http://127.0.0.1:{port}/", "--", path, "vary" if vary else "fixed", str(base),
                   str(self.threads)]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        found = re.search(r"^RESULT (\{.*\})$", finished.stdout, re.MULTILINE)
        if finished.returncode or not found:
            sys.exit(f"wrk failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}")
        result = json.loads(found.group(1))
        return {"rps": result["requests"] / (result["duration_us"] / 1e6), "requests": result["requests"],
                "p50": result["p50_us"] / 1000, "p99": result["p99_us"] / 1000,
                "errors": result["non2xx"] + result["socket_errors"]}


class PythonThreads:
    name = "python"

    def __init__(self, why: str) -> None:
        self.why = why

    def describe(self) -> str:
        return (f"Python {platform.python_version()} threads with httpx {httpx.__version__} "
                f"({self.why}; this generator may itself be the bottleneck)")

    def run(self, port: int, path: str, vary: bool, base: int, clients: int, seconds: float,
            encoding: str) -> dict:
        counter = itertools.count(base)
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors = [0] * clients
        start = threading.Barrier(clients + 1)
        deadline = 0.0

        def client(slot: int) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                              headers={"Accept-Encoding": encoding}) as session:
                start.wait()
                while (now := time.perf_counter()) < deadline:
                    url = path + str(10000 + next(counter) % AMOUNT_SPAN) if vary else path
                    try:
                        with session.stream("GET", url) as response:
                            for _ in response.iter_raw():
                                pass
                        if not 200 <= response.status_code < 300:
                            errors[slot] += 1
                    except httpx.HTTPError:
                        errors[slot] += 1
                    latencies[slot].append(time.perf_counter() - now)

        workers = [threading.Thread(target=client, args=(slot,), daemon=True) for slot in range(clients)]
        for worker in workers:
            worker.start()
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        start.wait()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - began
        every = sorted(itertools.chain.from_iterable(latencies))
        if not every:
            return {"rps": 0.0, "requests": 0, "p50": float("nan"), "p99": float("nan"), "errors": sum(errors)}

        def percentile(share: float) -> float:
            return every[min(len(every) - 1, max(0, round(share * len(every)) - 1))] * 1000

        return {"rps": len(every) / elapsed, "requests": len(every), "p50": percentile(0.50),
                "p99": percentile(0.99), "errors": sum(errors)}


def median_of(runs: list[dict]) -> dict:
    """Each column's median over the rounds; errors and requests summed."""
    return {"rps": statistics.median(run["rps"] for run in runs),
            "cpu_ms": statistics.median(run["cpu_ms"] for run in runs),
            "p50": statistics.median(run["p50"] for run in runs),
            "p99": statistics.median(run["p99"] for run in runs),
            "errors": sum(run["errors"] for run in runs), "requests": sum(run["requests"] for run in runs)}
