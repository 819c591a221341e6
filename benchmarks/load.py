"""The load part of ``make bench``: gunicorn serves the site, wrk drives it on loopback.

gunicorn runs the production settings (DEBUG off, Redis cache, SSL redirect on) with two
workers, rate limits off, plus one bare Django view (``benchmarks/urls.py``): a plain
response through the whole middleware stack, the yardstick for every page. wrk sends a
fixed number of requests per page at each number of concurrent clients, with
``X-Forwarded-Proto: https`` (as the TLS proxy would) and the page's session cookie.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "benchmarks" / "fixed_count.lua"
BIN = Path(sys.executable).parent
WORKERS = 2
CLIENTS = (4, 32)
BARE = "bare Django view"


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    cookie: str = ""  # "sessionid=..." for a logged-in page
    requests: int = 2000  # per number of clients; fewer for slow pages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """Production settings against the benchmark's database and a cache of its own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,  # the sessions made by the benchmark are signed with it
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],  # the benchmark's own (bench.py)
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}",
        "RATE_LIMITS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def gunicorn(environment: dict[str, str]):
    """Collect the static files, start gunicorn and yield its base URL once it answers."""
    subprocess.run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput",
                    "--verbosity", "0"], cwd=ROOT, env=environment, check=True)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS)],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped; see {log.name}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer; see {log.name}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        print(f"gunicorn log: {log.name}", file=sys.stderr)


def wrk(url: str, *, clients: int, requests: int, cookie: str = "") -> dict:
    """Send ``requests`` requests with ``clients`` connections; return wrk's figures."""
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk: apt-get install wrk")
    command = ["wrk", "--threads", "1", "--connections", str(clients), "--duration", "300s",
               "--timeout", "10s", "--script", str(LUA),
               "--header", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                            env={**os.environ, "WRK_REQUESTS": str(requests)})
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    errors = sum(v for k, v in figures.items() if k.startswith("errors_"))
    return {
        "requests": figures["requests"],
        "errors": errors,
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000, "max_ms": figures["max_us"] / 1000,
        "bytes_per_response": figures["bytes"] // max(figures["requests"], 1),
    }


def check(base: str, page: Page) -> None:
    """Fail early when a page does not answer 200 with its cookie (a wrong set-up)."""
    request = urllib.request.Request(base + page.path, headers={
        "X-Forwarded-Proto": "https", **({"Cookie": page.cookie} if page.cookie else {})})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        if response.status != 200 or response.url != base + page.path:
            raise RuntimeError(f"{page.label}: {response.status} at {response.url}")


def run(pages: list[Page], environment: dict[str, str]) -> dict[str, dict]:
    """Every page (after a warm-up of a twentieth of its requests) at each number of
    clients, and the bare view at each, in the same server; each page's ratio to the bare
    view's requests per second."""
    results: dict[str, dict] = {}
    with gunicorn(environment) as base:
        bare = Page(BARE, "/bench/bare/", requests=max(p.requests for p in pages) * 2)
        for page in [bare, *pages]:
            check(base, page)
            # Warm both workers (connections, templates, their own caches); not counted.
            wrk(base + page.path, clients=CLIENTS[0], requests=max(page.requests // 20, 20),
                cookie=page.cookie)
            results[page.label] = {"path": page.path, "logged_in": bool(page.cookie)}
            for clients in CLIENTS:
                figures = wrk(base + page.path, clients=clients, requests=page.requests,
                              cookie=page.cookie)
                results[page.label][clients] = figures
                print(f"  {page.label:<32} {clients:>3} clients "
                      f"{figures['requests_per_second']:>8.1f} req/s  "
                      f"p99 {figures['p99_ms']:>8.1f} ms", file=sys.stderr)
    add_ratios(results)
    return results


def add_ratios(results: dict[str, dict]) -> None:
    """Each page's requests per second as a share of the bare view's, per number of clients."""
    for figures in results.values():
        for clients in CLIENTS:
            figures[clients]["ratio_to_bare"] = round(
                figures[clients]["requests_per_second"]
                / results[BARE][clients]["requests_per_second"], 3)
