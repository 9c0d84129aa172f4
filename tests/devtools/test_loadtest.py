"""`manage.py loadtest`'s own parts: the wrk script's counts and percentiles on a tiny HTTP
server on loopback (1 s runs), and the verdicts on errors, statuses and memory."""

import http.server
import io
import shutil
import threading

import pytest

from devtools.management.commands.loadtest import Command, run_wrk
from tests.conftest import REQUIRE_SERVICES


class Answers(http.server.BaseHTTPRequestHandler):
    """/ok answers 200, /moved 302 (what a refused session gets), /missing 404."""

    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects

    def do_GET(self):
        status = {"/ok": 200, "/moved": 302}.get(self.path, 404)
        body = b"hello"
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wrk():
    found = shutil.which("wrk")
    if not found:
        reason = "wrk is not installed (apt-get install wrk; make loadtest does)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def load(wrk, url):
    raw, result = run_wrk(wrk, url, ["X-Test: 1"], threads=1, connections=2, duration=1, timeout=5)
    assert result["requests"] > 0, raw
    return result


def test_percentiles_in_order_and_nothing_counted_on_200(wrk, server):
    result = load(wrk, f"{server}/ok")
    assert result["not_2xx"] == 0
    assert result["status"] == 0
    assert result["connect"] + result["read"] + result["write"] + result["timeout"] == 0
    assert 0 < result["p50_us"] <= result["p95_us"] <= result["p99_us"] <= result["max_us"]


def test_redirects_are_counted_though_wrk_counts_only_400_and_up(wrk, server):
    result = load(wrk, f"{server}/moved")
    assert result["not_2xx"] == result["requests"]
    assert result["status"] == 0


def test_client_errors_are_counted_by_both(wrk, server):
    result = load(wrk, f"{server}/missing")
    assert result["not_2xx"] == result["requests"]
    assert result["status"] == result["requests"]


def command():
    return Command(stdout=io.StringIO(), stderr=io.StringIO())


def figures(**changes):
    base = {
        "requests": 600, "duration_us": 60_000_000, "bytes": 1, "p50_us": 1000,
        "p95_us": 2000, "p99_us": 3000, "max_us": 4000, "mean_us": 1100.0, "connect": 0,
        "read": 0, "write": 0, "timeout": 0, "status": 0, "not_2xx": 0,
    }  # fmt: skip
    return {**base, **changes}


def test_results_pass_clean_and_fail_on_errors_non_2xx_or_nothing():
    cmd = command()
    assert cmd.print_results([("clean", figures())]) == []
    # 600 requests in 60 s: 10.0 a second; 1000 us is 1.0 ms.
    assert "10.0" in cmd.stdout.getvalue() and "1.0 ms" in cmd.stdout.getvalue()
    failures = command().print_results(
        [
            ("timeouts", figures(timeout=2, read=1)),
            ("redirected", figures(not_2xx=5)),
            ("idle", figures(requests=0)),
        ]
    )
    assert len(failures) == 3
    assert "timeouts: 3 socket errors" in failures[0]  # 2 timeouts + 1 read error
    assert "redirected: 5 responses outside 2xx" in failures[1]
    assert "idle: no request completed" in failures[2]


def test_memory_within_ten_percent_passes_beyond_fails():
    # 100,000 KiB after the warm-up: 110,000 is +10.0% (the limit, allowed), 110,001 over.
    assert command().print_memory({1: 100_000}, {1: 110_000}) == []
    assert command().print_memory({1: 100_000}, {1: 90_000}) == []  # shrinking is fine
    failures = command().print_memory({1: 100_000}, {1: 110_001})
    assert len(failures) == 1 and "worker 1 grew" in failures[0]


def test_a_replaced_worker_fails():
    failures = command().print_memory({1: 100_000, 2: 100_000}, {1: 100_000, 3: 50_000})
    assert failures == [
        "worker 2 was replaced during the run",
        "worker 3 started during the run (another was replaced)",
    ]


def test_the_readings_between_are_shown_but_only_the_last_counts():
    cmd = command()
    # A worker at 100,000 KiB (97.7 MiB) that rose to 115,000 in between and came back to
    # 105,000 (+5.0%) passes: the verdict compares the end with the warm-up.
    assert cmd.print_memory({1: 100_000}, {1: 105_000}, [("dashboard", {1: 115_000})]) == []
    table = cmd.stdout.getvalue()
    assert "after dashboard" in table and "112.3 MiB" in table  # 115,000 / 1,024
    assert "+5.0%" in table


def test_first_requests_after_a_write_skip_the_floor_and_give_medians(monkeypatch):
    from devtools.management.commands import loadtest

    moved, timings = [], iter([0.0, 0.9, 0.9, 1.0,  # cold 0.9 s, warm 0.1 s
                               2.0, 2.5, 2.5, 2.52,  # cold 0.5 s, warm 0.02 s
                               3.0, 3.7, 3.7, 3.75])  # cold 0.7 s, warm 0.05 s  # fmt: skip

    class Server:
        base = "http://127.0.0.1:1"

        def shell(self, code):
            moved.append(code)
            return "moved"  # the shell's last line: an empty one would be no answer

    monkeypatch.setattr(loadtest, "http_request", lambda *args, **kwargs: (200, b""))
    monkeypatch.setattr(loadtest.time, "perf_counter", lambda: next(timings))
    targets = [
        (loadtest.FLOOR, "healthz", "/healthz/", "Accept: */*"),
        ("API alignment/", "alignment", "/api/v1/alignment/", "Authorization: Token x"),
    ]
    found = Command(stdout=io.StringIO()).first_after_a_write(Server(), targets)
    # three writes for the one target that is not the floor; medians of (0.9, 0.5, 0.7)
    # and of (0.1, 0.02, 0.05)
    assert len(moved) == 3
    assert found == [("API alignment/", pytest.approx(0.7), pytest.approx(0.05))]
