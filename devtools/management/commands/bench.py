"""`manage.py bench` (`make bench`): time the engine's reads on the demo and at scale.

For each data set (the demo company, `seed_scale` at its defaults and at five times them) it
prepares a database of its own beside the configured one — on the same PostgreSQL server
when `DATABASE_URL` names one, else SQLite files in var/ — seeds it once and reuses it, runs
each case in a child process against it: a warm-up, then `--repeat` timed runs with the
standard library's `time.perf_counter`, counting the queries of a run. It prints one table:
name, data size, median, p95, queries. The API cases through gunicorn and the reminder run
are in devtools/bench_http.py.

Then, on the scale data set (issue 14): every page of the app timed in-process, slowest
first, against the 300 ms target (devtools/bench_pages.py), and chart pages' first load in
Chromium with a cold cache from gunicorn with the production settings, against the 1 s
target (devtools/bench_browser.py; skipped, saying why, without Chromium).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from devtools import bench_browser, bench_pages
from devtools.bench_communication import communication_cases
from devtools.bench_http import HttpBench, ReminderBench, percentile

DATASETS = {
    "demo": ["seed_demo", "--yes", "--if-empty"],
    "scale": ["seed_scale"],
    # five times the default (issue 19): 1,000 units, 40,000 measures, 1.44 million values,
    # 100,000 employees; the cases' time may grow with it, their query counts may not
    "scale5": ["seed_scale", "--units", "1000", "--employees", "100000"],
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
        ("close checklist (last month, whole company)", close_checklist_case()),
        ("page /notifications/ (10,000 in the inbox)", inbox_case("/notifications/")),
        ("header count /notifications/count/ (10,000)", inbox_case("/notifications/count/")),
        (
            f"import of a {IMPORT_ROWS:,}-row value workbook (page: preview, then save)",
            workbook_import_case(),
        ),
        *report_pack_cases(root),
        *communication_cases(root),
    ]


def report_pack_cases(root):
    """The enterprise's report packs (issue 16): the unit report PDF under 10 s, the
    scorecard workbook under 5 s; the executive deck beside them. Made for the OSM staff (the
    budget and every initiative included), as a download or a subscription makes them."""
    from django.contrib.auth import get_user_model

    from reports import documents, exports

    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    return [
        (
            "unit report PDF (enterprise)",
            lambda: documents.unit_report_pdf(root, user),
            {"repeat": 5},
        ),
        (
            "scorecard workbook (enterprise)",
            lambda: exports.scorecard_file(root, as_of=None, ytd=False, fmt="xlsx"),
        ),
        (
            "executive deck (enterprise)",
            lambda: documents.executive_deck(root, user),
            {"repeat": 5},
        ),
    ]


def close_checklist_case():
    """The close checklist of last month for the whole company (issue 15: under 1 s)."""
    import datetime as dt

    from django.utils import timezone

    from scorecards.selectors.reporting import close_checklist

    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return lambda: close_checklist(last)


INBOX = 10_000


def inbox_case(path: str):
    """The inbox of a person with 10,000 notifications (issue 15: under 100 ms): the bench
    user gets them once, then keeps them."""
    from django.contrib.auth import get_user_model

    from core.models import Notification

    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    have = Notification.objects.filter(recipient=user).count()
    if have < INBOX:
        Notification.objects.bulk_create(
            (
                Notification(recipient=user, kind="mention", text=f"Bench notification {n}",
                             url="/", read_at=None if n % 3 else user.date_joined)
                for n in range(have, INBOX)
            ),
            batch_size=2000,
        )  # fmt: skip
    return page(path)


def strategy_tests():
    """The full-enterprise strategy test run (issue 8), as the nightly job runs it. Each run
    stores a new run of results; the bench's own are deleted when it is done."""
    from alignment.models import StrategyTestRun
    from alignment.strategy_tests import strategy_test_run

    before = StrategyTestRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def cleanup():
        StrategyTestRun.objects.filter(pk__gt=before).delete()

    return (lambda: strategy_test_run()), {"repeat": 3, "cleanup": cleanup}


IMPORT_ROWS = 2_000


def workbook_import_case(rows: int = IMPORT_ROWS):
    """The import of a 2,000-row value workbook (issue 16: under 5 s) as a person makes it on
    the upload page: the workbook posted for its preview, then carried back and saved. Its
    rows are values the data set has (`bench_http.upload_rows`), each given its measure's
    actual of the period before, a number, with the period a date, as Excel keeps them:
    every row changes, and every check passes. Each run is rolled back at its end, so every
    run writes the same and the data set stays as seeded."""
    import base64
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from openpyxl import Workbook

    from core.xlsx import XLSX, workbook_bytes
    from devtools.bench_http import upload_rows

    book = Workbook()
    sheet = book.active
    sheet.append(["measure_code", "period", "actual", "note"])
    values = upload_rows(2 * rows)[:rows]  # a measure's first value has none before it
    if len(values) < rows:
        raise CommandError(f"The data set has {len(values)} values to import, not {rows}.")
    for unit, code, period, _stored, before in values:
        day = dt.date.fromisoformat(period)
        sheet.append([f"{unit}.{code}", day, Decimal(before), "Re-entered by the bench"])
    body = workbook_bytes(book)
    carried = base64.b64encode(body).decode("ascii")  # as the preview carries it back
    client = staff_client()

    def run():
        with transaction.atomic():
            upload = SimpleUploadedFile("values.xlsx", body, content_type=XLSX)
            preview = client.post("/measures/upload/", {"file": upload, "preview": ""})
            saved = client.post("/measures/upload/", {"workbook": carried, "confirm": ""})
            transaction.set_rollback(True)
        if preview.status_code != 200 or saved.status_code != 302:
            raise CommandError(
                f"The workbook's preview answered {preview.status_code} and its save "
                f"{saved.status_code}: {saved.content[:500]!r}"
            )

    return run


def staff_client():
    """A test client signed in as the bench's OSM staff member (a superuser)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def page(path: str):
    """A whole page as the server renders it for an OSM staff member (in-process: the view,
    its queries and the templates; no network)."""
    client = staff_client()

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}.")

    return get


def data_size() -> str:
    from scorecards.models import MeasureValue, OrgUnit

    return f"{OrgUnit.objects.count():,} units, {MeasureValue.objects.count():,} values"


class Command(BaseCommand):
    help = "Benchmark the scorecard engine on the demo company and at scale."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--datasets", default="demo,scale,scale5")
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
