"""`manage.py bench` (`make bench`): time the engine's reads on the demo and at scale.

For each data set (the demo company, and `seed_scale` at its defaults) it prepares a
database of its own beside the configured one — on the same PostgreSQL server when
`DATABASE_URL` names one, else SQLite files in var/ — seeds it once and reuses it, then runs
each case in a child process against it: a warm-up, then `--repeat` timed runs with the
standard library's `time.perf_counter`, counting the queries of a run. It prints one table:
name, data size, median, p95, queries.

Then, on the scale data set (issue 14): every page of the app timed in-process, slowest
first, against the 300 ms target (devtools/bench_pages.py), and chart pages' first load in
Chromium with a cold cache from gunicorn with the production settings, against the 1 s
target (devtools/bench_browser.py; skipped, saying why, without Chromium).
"""

import argparse
import http.client
import json
import logging
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from devtools import bench_browser, bench_pages

DATASETS = {
    "demo": ["seed_demo", "--yes", "--if-empty"],
    "scale": ["seed_scale"],
}


def cases():
    """(name, callable) pairs, or (name, callable, limits) for a heavy case: `limits` may cap
    its timed runs (`repeat`) and name what undoes its writes afterwards (`cleanup`); each
    later issue adds its reads here."""
    from django.db.models import Count

    from alignment.selectors import alignment_report
    from scorecards.models import Measure, OrgUnit
    from scorecards.selectors.scorecard import enterprise_scores, unit_scorecard

    root = OrgUnit.objects.get(kind="enterprise")
    business = OrgUnit.objects.filter(parent=root).order_by("code").first() or root
    busiest = (
        Measure.objects.annotate(n=Count("values"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    ).first()
    return [
        ("unit scorecard (enterprise)", lambda: unit_scorecard(root)),
        ("unit scorecard (business unit)", lambda: unit_scorecard(business)),
        ("unit scorecard YTD (enterprise)", lambda: unit_scorecard(root, ytd=True)),
        ("enterprise statuses (all units)", lambda: enterprise_scores()),
        ("alignment (enterprise, every unit)", lambda: alignment_report(root)),
        ("page / (enterprise dashboard)", page("/")),
        (f"page /units/{business.code}/ (dashboard)", page(f"/units/{business.code}/")),
        (f"page /units/{business.code}/cascade/", page(f"/units/{business.code}/cascade/")),
        (f"page /measures/{busiest}/", page(f"/measures/{busiest}/")),
        ("page /my/updates/ (OSM staff: every owner)", page("/my/updates/")),
        ("page /alignment/", page("/alignment/")),
        ("page /initiatives/", page("/initiatives/")),
        ("page /budgets/", page("/budgets/")),
        ("page /people/", page("/people/")),
        ("strategy tests: the nightly run, every map", *strategy_tests()),
    ]


def strategy_tests():
    """The full-enterprise strategy test run (issue 8), as the nightly job runs it. Each run
    stores a new run of results; the bench's own are deleted when it is done."""
    from alignment.models import StrategyTestRun
    from alignment.strategy_tests import strategy_test_run

    before = StrategyTestRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def cleanup():
        StrategyTestRun.objects.filter(pk__gt=before).delete()

    return (lambda: strategy_test_run()), {"repeat": 3, "cleanup": cleanup}


def page(path: str):
    """A whole page as the server renders it for an OSM staff member (in-process: the view,
    its queries and the templates; no network)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}.")

    return get


def data_size() -> str:
    from scorecards.models import MeasureValue, OrgUnit

    return f"{OrgUnit.objects.count():,} units, {MeasureValue.objects.count():,} values"


def percentile(samples, fraction):
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = "Benchmark the scorecard engine on the demo company and at scale."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--datasets", default="demo,scale")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench databases")
        parser.add_argument("--only", default="", help="run the cases whose name contains this")
        parser.add_argument("--no-http", action="store_true", help="skip the HTTP cases")
        parser.add_argument(
            "--no-jobs", action="store_true", help="skip the reminder run (scale data set)"
        )
        parser.add_argument(
            "--pages-on",
            default="scale",
            help="data sets on which every page is timed (comma-separated; '' for none)",
        )
        parser.add_argument("--page-repeat", type=int, default=3, help="timed runs per page")
        parser.add_argument(
            "--no-browser", action="store_true", help="skip the chart pages' loads in Chromium"
        )
        # Internal: with --child, time every page instead of the cases.
        parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
        # Internal: run the cases in this process and print JSON (the parent calls it).
        parser.add_argument("--child", default="", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        if options["page_repeat"] < 1:
            raise CommandError("--page-repeat must be at least 1.")
        if options["child"]:
            if options["pages"]:
                bench_pages.run_child(options, self.stdout)
            else:
                self.run_cases(options)
            return
        names = [n.strip() for n in options["datasets"].split(",") if n.strip()]
        unknown = sorted(set(names) - DATASETS.keys())
        if unknown:
            raise CommandError(f"Unknown data set(s): {', '.join(unknown)}.")
        rows, after = [], []
        page_sets = {n.strip() for n in options["pages_on"].split(",") if n.strip()}
        for name in names:
            url = self.prepare(name, fresh=options["fresh"])
            rows += self.measure(name, url, options)
            if not options["no_http"]:
                rows += HttpBench(name, url, options, self.stdout).run()
            if name == "scale" and not options["no_jobs"]:
                rows += ReminderBench(name, url, options, self.stdout).run()
            if name in page_sets:
                after.append(bench_pages.measure(name, url, options, self.stdout))
            if name == "scale" and not options["no_browser"]:
                after.append(bench_browser.measure(name, url, self.stdout))
        self.print_table(rows)
        for show in after:
            show()

    # Parent: databases and child processes ---------------------------------------------------

    def database_url(self, dataset: str) -> str:
        configured = os.environ.get("DATABASE_URL", "")
        if configured.startswith(("postgres://", "postgresql://")):
            parts = urlparse(configured)
            return urlunparse(parts._replace(path=f"/osm_bench_{dataset}"))
        path = settings.VAR_DIR / f"bench_{dataset}.sqlite3"
        return f"sqlite:///{path}"

    def prepare(self, dataset: str, *, fresh: bool) -> str:
        url = self.database_url(dataset)
        if url.startswith("sqlite"):
            path = urlparse(url).path
            if fresh and os.path.exists(path):
                os.remove(path)
        else:
            self.ensure_postgres_database(url, fresh=fresh)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        probe = subprocess.run(
            [*manage, "shell", "-v0", "-c", "from scorecards.models import OrgUnit;"
             "print(OrgUnit.objects.exists())"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        answer = probe.stdout.strip().splitlines()
        if not answer or answer[-1] != "True":
            self.stdout.write(f"Seeding the {dataset} bench database (once)...")
            started = time.perf_counter()
            subprocess.run([*manage, *DATASETS[dataset]], env=env, check=True)
            self.stdout.write(f"  seeded in {time.perf_counter() - started:.1f} s")
        return url

    def ensure_postgres_database(self, url: str, *, fresh: bool) -> None:
        import psycopg2

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        admin = urlunparse(parts._replace(path="/postgres"))
        conn = psycopg2.connect(admin)
        conn.autocommit = True
        with conn.cursor() as cursor:
            if fresh:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()

    def measure(self, dataset: str, url: str, options) -> list[dict]:
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench",
            "--child",
            dataset,
            "--repeat",
            str(options["repeat"]),
            "--only",
            options["only"],
        ]
        result = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def print_table(self, rows: list[dict]) -> None:
        engine = (
            "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        )
        header = ("name", "data size", "median", "p95", "queries")
        lines = [
            (
                f"{r['name']} [{r['dataset']}]",
                r["size"],
                f"{r['median'] * 1000:.1f} ms",
                f"{r['p95'] * 1000:.1f} ms",
                str(r["queries"]) if r["queries"] is not None else "-",
            )
            for r in rows
        ]
        widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(header)]
        self.stdout.write(f"Benchmarks on {engine}, {rows[0]['repeat'] if rows else 0} runs each")
        for line in (header, tuple("-" * w for w in widths), *lines):
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
            )

    # Child: time the cases in-process -------------------------------------------------------

    def run_cases(self, options) -> None:
        size = data_size()
        rows = []
        for name, run, *limits in cases():
            if options["only"] and options["only"] not in name:
                continue
            limits = limits[0] if limits else {}
            repeat = min(options["repeat"], limits.get("repeat", options["repeat"]))
            if repeat != options["repeat"]:
                name = f"{name} ({repeat} runs)"
            run()  # warm-up: imports, caches, the database's buffers
            samples = []
            # DEBUG keeps a log of at most 9,000 queries: empty it, or a full log counts 0.
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                run()
            for _ in range(repeat):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
            if "cleanup" in limits:
                limits["cleanup"]()
            rows.append(
                {
                    "name": name,
                    "dataset": options["child"],
                    "size": size,
                    "median": statistics.median(samples),
                    "p95": percentile(samples, 0.95),
                    "queries": len(captured.captured_queries),
                    "repeat": repeat,
                }
            )
        self.stdout.write(json.dumps(rows))


# Through a real HTTP server ------------------------------------------------------------------


def upload_rows(limit: int) -> list[list[str]]:
    """Up to `limit` entered actuals to upload again, each as [unit code, measure code,
    period, the actual stored, the measure's actual of the period before] (a measure's
    first actual has none before it and is left out)."""
    from scorecards.models import MeasureValue

    values = list(
        MeasureValue.objects.filter(
            measure__formula__isnull=True, measure__rollup="none", actual__isnull=False
        )
        .order_by("measure_id", "period")
        .values_list("measure_id", "measure__unit__code", "measure__code", "period", "actual")[
            : limit + 1
        ]
    )
    rows = [
        [unit, code, str(period), f"{actual.normalize():f}", f"{before.normalize():f}"]
        for (previous, *_, before), (measure, unit, code, period, actual) in pairwise(values)
        if previous == measure
    ]
    return rows[:limit]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HttpBench:
    """API requests timed through gunicorn (2 workers) on a data set's database: the unit
    scorecard, alignment, a 100-value page, and a bulk upsert of 10,000 values."""

    def __init__(self, dataset, url, options, stdout):
        self.dataset, self.url, self.options, self.stdout = dataset, url, options, stdout
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "osm.settings.production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "STATIC_ROOT": str(settings.VAR_DIR),  # the API serves no static files
            "LOGIN_RATE_PER_ADDRESS": "1000/min",
            "LOGIN_RATE_PER_USER": "1000/min",
        }
        self.manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [*self.manage, "shell", "-v0", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def run(self) -> list[dict]:
        password = secrets.token_urlsafe(16)
        facts = self.prepare(password)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "osm.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env=self.env,
            cwd=settings.BASE_DIR,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            self.wait(base)
            token = self.request(
                base,
                "POST",
                "/api/v1/auth/token/",
                json.dumps({"username": "bench", "password": password}).encode(),
                "application/json",
            )[1]["token"]
            return [
                self.time_case(base, token, *case)
                for case in self.cases(facts)
                if not self.options["only"] or self.options["only"] in case[0]
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)

    def prepare(self, password: str) -> dict:
        """A superuser `bench` with `password`, and what the cases need: the root unit's id
        and up to 10,000 entered actuals to upload again (unit, measure, period, the actual
        stored and the measure's actual of the period before)."""
        return json.loads(
            self.shell(
                "import json; from django.contrib.auth import get_user_model;"
                "from scorecards.models import OrgUnit;"
                "U = get_user_model(); u, _ = U.objects.get_or_create(username='bench');"
                "u.is_superuser = True; u.is_staff = True;"
                f"u.set_password('{password}'); u.save();"
                "from devtools.management.commands.bench import upload_rows;"
                "root = OrgUnit.objects.get(kind='enterprise');"
                "print(json.dumps({'root': root.pk, 'rows': upload_rows(10000)}))"
            )
        )

    def cases(self, facts: dict) -> list[tuple]:
        """(name, method, path, bodies, content type, repeat) of each timed request: the
        bulk upsert sends, in turn, each value's actual of the period before (a figure of the
        measure's own history, so every check of a door passes: range, places, unusual) and
        the actual stored, so that every request changes each row; the note a red value needs
        goes with them."""
        bodies = [
            (
                "measure_code,period,actual,note\n"
                + "".join(
                    f"{unit}.{code},{period},{figure},Re-entered by the bench\n"
                    for unit, code, period, *actuals in facts["rows"]
                    for figure in [actuals[which]]
                )
            ).encode()
            for which in (1, 0)
        ]
        repeat, root = self.options["repeat"], facts["root"]
        bulk = f"HTTP POST measure-values/bulk/ ({len(facts['rows']):,} rows)"
        reads = [
            ("HTTP GET units/{root}/scorecard/", f"/api/v1/units/{root}/scorecard/"),
            ("HTTP GET alignment/", "/api/v1/alignment/"),
            ("HTTP GET measure-values/, 100 a page", "/api/v1/measure-values/?page_size=100"),
        ]
        return [(name, "GET", path, [None], None, repeat) for name, path in reads] + [
            (bulk, "POST", "/api/v1/measure-values/bulk/", bodies, "text/csv", 3)
        ]

    def time_case(self, base, token, name, method, path, bodies, content_type, repeat) -> dict:
        """One case: a warm-up request, then `repeat` timed ones, sending `bodies` in turn;
        its row of the table."""
        samples = []
        for run in range(repeat + 1):  # the first is the warm-up
            body = bodies[run % len(bodies)]
            started = time.perf_counter()
            status, answer = self.request(base, method, path, body, content_type, token)
            if status >= 400:
                raise CommandError(f"{name} answered {status}: {answer!r}")
            if run:
                samples.append(time.perf_counter() - started)
        return {
            "name": name,
            "dataset": self.dataset,
            "size": data_size_from(self.shell),
            "median": statistics.median(samples),
            "p95": percentile(samples, 0.95),
            "queries": None,
            "repeat": repeat,
        }

    def wait(self, base: str) -> None:
        wait_for_server(base)

    def request(self, base, method, path, body=None, content_type=None, token=None):
        headers = {"Content-Type": content_type} if content_type else {}
        if token:
            headers["Authorization"] = f"Token {token}"
        status, data = http_request(base, method, path, body, headers)
        if status >= 400:
            return status, data[:500]
        return status, json.loads(data or b"null")


def http_request(base, method, path, body=None, headers=None, timeout=300):
    """(status, body) of one request to the server at `base` (http://host:port). Plain HTTP
    through http.client: unlike urllib's urlopen, no other scheme (file:, ftp:) is possible."""
    address = urlparse(base)
    if address.scheme != "http":
        raise CommandError(f"{base} is not an http:// address.")
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def wait_for_server(base: str, tries: int = 100) -> None:
    """Until `base`/healthz/ answers 200 (gunicorn has started)."""
    for _ in range(tries):
        try:
            if http_request(base, "GET", "/healthz/", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CommandError("gunicorn did not start.")


class ReminderBench(HttpBench):
    """The daily reminder run on the scale data set, timed from the task's queueing to the
    last message the SMTP server (aiosmtpd, on loopback in this process) accepted: one
    Celery worker process (solo pool) on a Redis queue of its own when `REDIS_URL` is set,
    else `manage.py send_reminders` inline. The day is the one when every owner's next
    value falls due in REMINDER_LEAD_DAYS, so each owner gets a message."""

    def run(self) -> list[dict]:
        from aiosmtpd.controller import Controller

        if self.options["only"] and self.options["only"] not in "reminder run":
            return []

        class Counter:
            received = 0
            last = 0.0

            async def handle_DATA(self, server, session, envelope):
                Counter.received += 1
                Counter.last = time.perf_counter()
                return "250 OK"

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
        smtp = Controller(Counter(), hostname="127.0.0.1", port=free_port())
        smtp.start()
        queue = f"osm-bench-{secrets.token_hex(4)}"
        self.env.update(
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            CELERY_QUEUE=queue,
            CELERY_TASK_ALWAYS_EAGER="0" if os.environ.get("REDIS_URL") else "1",
        )
        day = self.shell(
            "from django.conf import settings; from scorecards.models import MeasureValue;"
            "from scorecards.periods import add_months, period_end;"
            "from django.db.models import Max;"
            "last = MeasureValue.objects.aggregate(m=Max('period'))['m'];"
            "import datetime as dt; nxt = add_months(last, 1);"
            "due = period_end(nxt, 'monthly') + dt.timedelta(days=settings.MEASURE_DUE_DAYS);"
            "print(due - dt.timedelta(days=settings.REMINDER_LEAD_DAYS))"
        )
        worker = None
        log = open(settings.VAR_DIR / "bench_worker.log", "w")  # noqa: SIM115 (closed below)
        if os.environ.get("REDIS_URL"):
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "osm", "worker", "-Q", queue,
                 "--pool", "solo", "--without-heartbeat", "--without-gossip",
                 "--without-mingle", "--loglevel", "WARNING"],
                env=self.env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            time.sleep(5)  # the worker's start is not part of the run
        samples, sent = [], 0
        try:
            for _ in range(2):
                self.shell(
                    "from core.models import OutgoingMessage;"
                    f"print(OutgoingMessage.objects.filter(period__gte='{day}').delete()[0])"
                )
                Counter.received = 0
                started = time.perf_counter()
                if worker:
                    self.queue_task(queue, day)
                    self.wait_quiet(Counter)
                else:
                    subprocess.run(
                        [*self.manage, "send_reminders", "--date", day],
                        env=self.env, check=True, capture_output=True,
                    )  # fmt: skip
                samples.append(Counter.last - started)
                sent = Counter.received
        finally:
            if worker:
                worker.terminate()
                worker.wait(timeout=30)
            log.close()
            smtp.stop()
        how = "1 worker" if worker else "inline"
        return [
            {
                "name": f"reminder run: {sent:,} emails via SMTP ({how})",
                "dataset": self.dataset,
                "size": data_size_from(self.shell),
                "median": statistics.median(samples),
                "p95": max(samples),
                "queries": None,
                "repeat": len(samples),
            }
        ]

    def queue_task(self, queue: str, day: str) -> None:
        from celery import Celery

        app = Celery(broker=os.environ["REDIS_URL"])
        app.send_task("reviews.tasks.send_reminders", args=[day], queue=queue)

    def wait_quiet(self, counter, quiet: float = 5.0, limit: float = 600.0) -> None:
        """Until the SMTP server has received something and then nothing for `quiet` s."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            time.sleep(0.5)
            if counter.received and time.perf_counter() - counter.last > quiet:
                return
        raise CommandError("The reminder run did not finish within 10 minutes.")


def data_size_from(shell) -> str:
    return shell(
        "from scorecards.models import OrgUnit, MeasureValue;"
        "print(f'{OrgUnit.objects.count():,} units, {MeasureValue.objects.count():,} values')"
    )
