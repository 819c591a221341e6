"""The load benchmark's own machinery: wrk stops after a fixed number of requests."""

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import load
from tests.support import require


class Plain(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen_headers: list = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        Plain.seen_headers.append((self.headers["X-Forwarded-Proto"], self.headers["Cookie"]))
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Plain)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def test_wrk_sends_the_fixed_number_of_requests_and_reports_percentiles(server):
    require(shutil.which("wrk"), "Debian's wrk is not installed (apt-get install wrk)")
    Plain.seen_headers.clear()
    clients = 4
    figures = load.wrk(server, clients=clients, requests=300, cookie="sessionid=abc")
    # The thread that counts the 300th answer stops at once; the other connections' answers
    # read in the same pass of wrk's event loop still count (one in flight each), however
    # fast the machine (benchmarks/fixed_count.lua).
    assert 300 <= figures["requests"] <= 300 + clients - 1
    assert figures["errors"] == 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["requests_per_second"] > 0
    assert set(Plain.seen_headers) == {("https", "sessionid=abc")}


def test_each_page_gets_its_ratio_to_the_bare_view():
    bare = {4: {"requests_per_second": 1000.0}, 32: {"requests_per_second": 800.0}}
    page = {4: {"requests_per_second": 250.0}, 32: {"requests_per_second": 600.0}}
    results = {load.BARE: bare, "page": page}
    load.add_ratios(results)
    assert (page[4]["ratio_to_bare"], page[32]["ratio_to_bare"]) == (0.25, 0.75)
    assert bare[32]["ratio_to_bare"] == 1.0
