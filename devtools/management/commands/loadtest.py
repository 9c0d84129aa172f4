"""`manage.py loadtest` (`make loadtest`): wrk against gunicorn on the scale data set.

The bench's scale database is reused (`osm_bench_scale` on the PostgreSQL server that
`DATABASE_URL` names, else `var/bench_scale.sqlite3`; seeded with `seed_scale` once), or
the database `--database-url` names (the same data through PgBouncer, say, with
`--pooler pgbouncer`, which sets gunicorn's `DATABASE_POOLER`).
gunicorn serves it on loopback with the production settings, as the bench's HTTP cases do,
and wrk (Debian's package) loads six targets in turn, `--connections` at once for
`--duration` each:

- `/healthz/`, the floor (one query): each target's throughput is also given as a share of
  it, measured in the same run, so runs on a busier or quieter machine compare;
- the enterprise dashboard `/`, with a logged-in session's cookie;
- the unit scorecard API `/api/v1/units/{root}/scorecard/`, with a knox token;
- the alignment API `/api/v1/alignment/`, with the same token;
- a page of 100 measure values and of 100 objectives, with the same token.

Every target first gets a warm-up run (each worker imports, compiles templates and fills
its caches), then the workers' resident memory is read from /proc/<pid>/status (VmRSS),
the measured runs follow, and the memory is read again. The command fails (exit status 1)
on any socket error or timeout, any response outside 2xx, a worker that was replaced, or a
worker whose memory after the runs exceeds its memory after the warm-up by more than 10%.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.bench_http import free_port, http_request, wait_for_server

from .bench import Command as BenchCommand

LUA = Path(__file__).with_name("loadtest.lua")
RESULT_PREFIX = "LOADTEST-RESULT "
# 2 cores: the requests are CPU-bound Python (scorecards, templates, JSON) with PostgreSQL
# and wrk on the same 2 cores. One worker more than the cores keeps both busy while one
# worker waits on the database; more only adds memory and context switches (see
# docs/performance.md, "Load (issue 9)", for the runs with 2, 3 and 5).
DEFAULT_WORKERS = 3
# Each target's throughput is also given as a share of this one's, measured in the same run:
# the machine's load moves both alike, so the share is what to compare between runs.
FLOOR = "/healthz/ (floor)"
MEMORY_GROWTH_LIMIT = 0.10


class Command(BaseCommand):
    help = "Load gunicorn on the scale data set with wrk: the floor, dashboard, four APIs."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=60, help="seconds per target")
        parser.add_argument("--connections", type=int, default=50)
        parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument(
            "--warmup", type=int, default=10, help="seconds of warm-up load per target"
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=30,
            help="seconds before wrk counts a request as timed out (wrk's default is 2 s; "
            "with 50 connections queued on a few workers a request waits its turn)",
        )
        parser.add_argument("--only", default="", help="the targets whose name contains this")
        parser.add_argument(
            "--rounds", type=int, default=1, help="load the targets this many times in turn"
        )
        parser.add_argument("--fresh", action="store_true", help="rebuild the scale database")
        parser.add_argument(
            "--no-cold",
            dest="cold",
            action="store_false",
            help="leave out the timing of each target's first request after a write",
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="serve this database instead of the bench's scale database, e.g. the scale "
            "database through PgBouncer (it must hold seed_scale's data)",
        )
        parser.add_argument(
            "--pooler",
            default="",
            choices=["", "pgbouncer"],
            help="gunicorn's DATABASE_POOLER: pgbouncer when --database-url names PgBouncer in "
            "transaction pooling mode",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        for name in ("duration", "connections", "threads", "workers", "timeout", "rounds"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["warmup"] < 0:
            raise CommandError("--warmup must be 0 or more.")
        wrk = shutil.which("wrk")
        if not wrk:
            raise CommandError("wrk is not installed: `apt-get install wrk` (make loadtest does).")
        bench = BenchCommand(stdout=self.stdout, stderr=self.stderr)
        url = options["database_url"] or bench.prepare("scale", fresh=options["fresh"])
        server = LoadServer(url, options["workers"], self.stdout, pooler=options["pooler"])
        facts = server.prepare()
        token = f"Authorization: Token {facts['token']}"
        targets = [  # (name, short name, path, header)
            # the floor: one query, no session, no template; every figure is read against it
            (FLOOR, "healthz", "/healthz/", "Accept: application/json"),
            ("dashboard /", "dashboard", "/", f"Cookie: {facts['cookie']}={facts['session']}"),
            (
                "API units/{root}/scorecard/",
                "scorecard",
                f"/api/v1/units/{facts['root']}/scorecard/",
                token,
            ),
            ("API alignment/", "alignment", "/api/v1/alignment/", token),
            ("API measure-values/ (100)", "values", "/api/v1/measure-values/?page_size=100", token),
            ("API objectives/ (100)", "objectives", "/api/v1/objectives/?page_size=100", token),
        ]
        targets = [t for t in targets if options["only"] in t[0]]
        if not targets:
            raise CommandError(f"No target's name contains {options['only']!r}.")
        with server:
            for name, _short, path, header in targets:
                status, body = http_request(
                    server.base, "GET", path, headers=dict([header.split(": ", 1)])
                )
                if status != 200:
                    raise CommandError(f"{name}: {path} answered {status}: {body[:300]!r}")
            if options["warmup"]:
                self.stdout.write(f"Warm-up: {options['warmup']} s per target...")
                for _name, _short, path, header in targets:
                    self.wrk(wrk, server.base + path, header, options, options["warmup"], server)
            server.wait_idle()
            warm = server.worker_memory()
            rows, steps = [], []
            for round_ in range(1, options["rounds"] + 1):
                for name, short, path, header in targets:
                    label = name if options["rounds"] == 1 else f"{name} #{round_}"
                    self.stdout.write(f"Loading {label} for {options['duration']} s...")
                    result = self.wrk(
                        wrk, server.base + path, header, options, options["duration"], server
                    )
                    rows.append((label, result))
                    server.wait_idle()
                    step = short if options["rounds"] == 1 else f"{short} #{round_}"
                    steps.append((step, server.worker_memory()))
            after = steps[-1][1]
            cold = self.first_after_a_write(server, targets) if options["cold"] else []
        self.stdout.write("")
        self.stdout.write(
            f"wrk -t{options['threads']} -c{options['connections']} -d{options['duration']}s "
            f"--timeout {options['timeout']}s on gunicorn ({options['workers']} sync workers, "
            f"production settings), {facts['size']}, {server.engine}"
        )
        failures = self.print_results(rows)
        failures += self.print_memory(warm, after, steps[:-1])
        if cold:
            self.print_cold(cold)
        if failures:
            log = server.log_tail()
            if log:
                self.stderr.write("gunicorn's log (last lines):\n" + log)
            raise CommandError("Load test failed: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("Load test passed."))

    def first_after_a_write(self, server, targets, runs: int = 3) -> list[tuple]:
        """Each target's first request after the data version moves (what a write does to
        every kept answer), and the one after it, `runs` times (the medians are shown): the
        only slow requests are these first computations."""
        found = []
        for name, _short, path, header in targets:
            if name.startswith(FLOOR):
                continue
            cold, warm = [], []
            for _ in range(runs):
                server.shell(
                    "from core.versioning import data_changed; data_changed(); print('moved')"
                )
                for times in (cold, warm):
                    started = time.perf_counter()
                    http_request(server.base, "GET", path, headers=dict([header.split(": ", 1)]))
                    times.append(time.perf_counter() - started)
            found.append((name, sorted(cold)[runs // 2], sorted(warm)[runs // 2]))
        return found

    def print_cold(self, cold) -> None:
        self.stdout.write("")
        header = ("target", "first request after a write", "the next one")
        lines = [(name, ms(c * 1e6), ms(w * 1e6)) for name, c, w in cold]
        self.write_table(header, lines)

    def wrk(self, wrk: str, url: str, header: str, options, duration: int, server) -> dict:
        server.wait_idle()  # the previous run's requests still queued would count in this one
        raw, result = run_wrk(
            wrk,
            url,
            [header],
            threads=options["threads"],
            connections=options["connections"],
            duration=duration,
            timeout=options["timeout"],
        )
        if self.verbosity >= 2:
            self.stdout.write(raw)
        return result

    def print_results(self, rows) -> list[str]:
        header = ("target", "requests", "req/s", "of floor", "median", "p95", "p99", "max",
                  "errors", "non-2xx")  # fmt: skip
        lines, failures = [], []
        rate = {name: r["requests"] / (r["duration_us"] / 1e6) for name, r in rows}
        floor = next((rate[name] for name, _r in rows if name.startswith(FLOOR)), None)
        for name, r in rows:
            errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
            lines.append(
                (
                    name,
                    f"{r['requests']:,}",
                    f"{rate[name]:.1f}",
                    f"{rate[name] / floor:.2f}" if floor else "",
                    *(ms(r[key]) for key in ("p50_us", "p95_us", "p99_us", "max_us")),
                    str(errors),
                    str(r["not_2xx"]),
                )
            )
            if not r["requests"]:
                failures.append(f"{name}: no request completed")
            if errors:
                failures.append(
                    f"{name}: {errors} socket errors (connect {r['connect']}, read {r['read']}, "
                    f"write {r['write']}, timeout {r['timeout']})"
                )
            if r["not_2xx"]:
                failures.append(f"{name}: {r['not_2xx']} responses outside 2xx")
        self.write_table(header, lines)
        return failures

    def print_memory(self, warm: dict[int, int], after: dict[int, int], steps=()) -> list[str]:
        """The verdict compares `after` with `warm`; `steps` (label, memory) are the readings
        between, shown so a steady climb can be told from a step."""
        self.stdout.write("")
        header = (
            "gunicorn worker (RSS)",
            "after warm-up",
            *(f"after {label}" for label, _ in steps),
            "after the runs",
            "change",
        )
        lines, failures = [], []
        for pid, before in sorted(warm.items()):
            between = [mib(memory[pid]) if pid in memory else "-" for _, memory in steps]
            now = after.get(pid)
            if now is None:
                lines.append((str(pid), mib(before), *between, "gone", "-"))
                failures.append(f"worker {pid} was replaced during the run")
                continue
            change = (now - before) / before
            lines.append((str(pid), mib(before), *between, mib(now), f"{change:+.1%}"))
            if change > MEMORY_GROWTH_LIMIT:
                failures.append(
                    f"worker {pid} grew from {mib(before)} to {mib(now)} ({change:+.1%}, "
                    f"limit +{MEMORY_GROWTH_LIMIT:.0%})"
                )
        for pid in sorted(after.keys() - warm.keys()):
            lines.append((str(pid), "-", *("-" for _ in steps), mib(after[pid]), "new"))
            failures.append(f"worker {pid} started during the run (another was replaced)")
        self.write_table(header, lines)
        return failures

    def write_table(self, header, lines) -> None:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        for line in (header, tuple("-" * w for w in widths), *lines):
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
            )


def run_wrk(
    wrk: str, url: str, headers: list[str], *, threads, connections, duration, timeout
) -> tuple[str, dict]:
    """wrk's report and the figures loadtest.lua printed (latencies in microseconds)."""
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s",
        "--latency", "-s", str(LUA), *[arg for h in headers for arg in ("-H", h)], url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if done.returncode or not lines:
        raise CommandError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr, json.loads(lines[-1][len(RESULT_PREFIX) :])


def ms(microseconds: float) -> str:
    value = microseconds / 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


class LoadServer:
    """gunicorn with the production settings on a loopback port, on the scale database."""

    def __init__(self, url: str, workers: int, stdout, pooler: str = ""):
        self.url, self.workers, self.stdout = url, workers, stdout
        self.static_root = settings.VAR_DIR / "loadtest-static"
        self.log = settings.VAR_DIR / "loadtest-gunicorn.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATABASE_POOLER": pooler,
            "DJANGO_SETTINGS_MODULE": "osm.settings.production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            # The load is measured on the pages and the API, not on the second factor the
            # production settings ask of the OSM staff and superusers the runs sign in as.
            "OTP_REQUIRED_FOR": "none",
            # The pages name their static files through the manifest collectstatic writes.
            "STATIC_ROOT": str(self.static_root),
        }
        self.manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        self.engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        if pooler:
            self.engine += " through PgBouncer (transaction pooling)"
        self.process = None
        self.base = ""

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [*self.manage, "shell", "-v0", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def prepare(self) -> dict:
        """Static files collected; a staff user `loadtest` with a session and a knox token
        made directly in the database (no login requests: the lockout must not count them)."""
        subprocess.run(
            [*self.manage, "collectstatic", "--noinput", "-v0"], env=self.env, check=True
        )
        facts = json.loads(
            self.shell(
                "import json; from importlib import import_module;"
                "from django.conf import settings; from django.contrib import auth;"
                "from knox.models import AuthToken;"
                "from scorecards.models import OrgUnit, MeasureValue;"
                "u, _ = auth.get_user_model().objects.get_or_create(username='loadtest');"
                "u.is_superuser = True; u.is_staff = True; u.set_unusable_password(); u.save();"
                "AuthToken.objects.filter(user=u).delete();"
                "_, token = AuthToken.objects.create(user=u);"
                "store = import_module(settings.SESSION_ENGINE).SessionStore();"
                "backend = 'accounts.backends.PasswordBackend';"
                "assert backend in settings.AUTHENTICATION_BACKENDS;"
                "store[auth.SESSION_KEY] = str(u.pk); store[auth.BACKEND_SESSION_KEY] = backend;"
                "store[auth.HASH_SESSION_KEY] = u.get_session_auth_hash(); store.create();"
                "root = OrgUnit.objects.get(kind='enterprise');"
                "size = f'{OrgUnit.objects.count():,} units, "
                "{MeasureValue.objects.count():,} values';"
                "print(json.dumps({'root': root.pk, 'token': token, 'size': size,"
                " 'session': store.session_key, 'cookie': settings.SESSION_COOKIE_NAME}))"
            )
        )
        return facts

    def __enter__(self):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log.write_text("")  # this run's lines only
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "osm.wsgi",
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.workers),
                "--timeout", "120",
                "--log-level", "warning",
                "--error-logfile", str(self.log),
            ],
            env=self.env,
            cwd=settings.BASE_DIR,
        )  # fmt: skip
        try:
            wait_for_server(self.base)
            self.wait_for_workers()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_for_workers(self) -> None:
        for _ in range(100):
            if len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.2)
        raise CommandError(f"gunicorn did not start {self.workers} workers.")

    def worker_pids(self) -> list[int]:
        """The master's child processes (its workers)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return [int(p) for p in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found

    def wait_idle(self, limit: float = 600.0) -> None:
        """Until the workers have worked through what wrk left behind: when a run ends, up to
        `--connections` requests are still queued or running (a sync worker finishes a
        request whose client has gone). A health check waits its turn behind them; then the
        workers' CPU time must stay still for a second."""
        started = time.monotonic()
        status, _ = http_request(self.base, "GET", "/healthz/", timeout=limit)
        if status != 200:
            raise CommandError(f"The health check answered {status} after a run.")
        last = None
        while time.monotonic() - started < limit:
            ticks = self.worker_cpu_ticks()
            if ticks == last:
                return
            last = ticks
            time.sleep(1.0)
        raise CommandError(f"gunicorn's workers were still busy after {limit:.0f} s.")

    def worker_cpu_ticks(self) -> dict[int, int]:
        """Each worker's user + system CPU time in clock ticks (/proc/<pid>/stat)."""
        ticks = {}
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks[pid] = int(fields[11]) + int(fields[12])
        return ticks

    def worker_memory(self) -> dict[int, int]:
        """Each worker's resident memory in KiB (VmRSS of /proc/<pid>/status)."""
        memory = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    memory[pid] = int(line.split()[1])
        return memory

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text().splitlines()[-lines:])
