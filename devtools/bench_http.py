"""`make bench`'s cases through a real HTTP server (devtools/management/commands/bench.py):
API requests timed through gunicorn with the production settings, and the daily reminder
run delivered to an SMTP server on loopback; and the small HTTP helpers `make loadtest`
shares."""

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
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import CommandError


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
            # The load is measured on the pages and the API, not on the second factor the
            # production settings ask of the OSM staff and superusers the runs sign in as.
            "OTP_REQUIRED_FOR": "none",
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
                "from devtools.bench_http import upload_rows;"
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


def percentile(samples, fraction):
    """The sample at `fraction` of the sorted samples (0.95: the p95), the nearest rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
