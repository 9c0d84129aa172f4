"""`make bench`'s page figures (issue 14): every page of the app timed on a seed_scale data
set, with the objects its pages need made once; the table and its verdicts; and a chart
page's first load in Chromium with a cold cache, from a live server."""

import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from alignment.models import StrategyTestRun
from devtools import bench_browser, bench_pages
from people.models import GoalTemplate
from reviews.models import ActionItem, CalendarEvent
from tests import factories as f
from tests.conftest import need_service
from tests.osm.test_every_page import FILES, PAGES, POST_ONLY

SMALL = {"units": 6, "objectives": 4, "measures": 8, "months": 14, "employees": 20}


@pytest.fixture
def scale(db):
    call_command("seed_scale", **SMALL, stdout=io.StringIO())
    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def test_the_objects_the_pages_need_are_made_once(scale):
    made = bench_pages.ensure_page_objects(scale)
    assert made == [
        "a review meeting with an action item",
        "a calendar event",
        "a strategy test run",
        "a goal template",
        "a theme",
        "a strategy version",
        "a practice's document",  # seed_scale writes practices, without documents
        "a report subscription",
        "a notification",
    ]
    item = ActionItem.objects.get()
    assert item.meeting.unit.kind == "enterprise" and item.objective.unit == item.meeting.unit
    assert CalendarEvent.objects.count() == 1 and GoalTemplate.objects.count() == 1
    assert StrategyTestRun.objects.get().status == StrategyTestRun.Status.DONE
    assert bench_pages.ensure_page_objects(scale) == []  # the second time: nothing


def test_every_page_is_timed_on_the_scale_data(scale):
    bench_pages.ensure_page_objects(scale)
    rows = bench_pages.time_pages(scale, repeat=1)
    assert not [row for row in rows if "skipped" in row]
    expected = set(PAGES) - POST_ONLY - {"logout"} - FILES  # files: make bench's own cases
    assert {row["name"] for row in rows} == expected
    for row in rows:
        # to the notification's link; nothing to verify: on to the page asked for
        redirects = ("unit-pick", "landing", "notification-open", "mfa-verify")
        assert row["status"] == (302 if row["name"] in redirects else 200), row
        assert row["median"] > 0 and row["first"] > 0 and row["queries"] >= 0
        assert row["bytes"] > 0 or row["status"] == 302  # a redirect has no body
    medians = [row["median"] for row in rows]
    assert medians == sorted(medians, reverse=True)  # slowest first


def test_the_table_marks_the_pages_over_the_target():
    rows = [
        {"name": "slow", "path": "/slow/", "status": 200, "median": 0.45, "p95": 0.5,
         "first": 1.25, "queries": 9, "bytes": 2048},
        {"name": "quick", "path": "/quick/", "status": 200, "median": 0.02, "p95": 0.03,
         "first": 0.04, "queries": 3, "bytes": 1024},
        {"name": "reviews:detail", "path": "", "skipped": "no object: 'NoneType'"},
    ]  # fmt: skip
    out = io.StringIO()
    bench_pages.print_pages(OutputWrapper(out), "scale", rows, 3)
    lines = out.getvalue().splitlines()
    slow = next(line for line in lines if line.startswith("slow "))
    quick = next(line for line in lines if line.startswith("quick "))
    assert "450.0 ms" in slow and slow.rstrip().endswith("OVER")
    assert "1250.0 ms" in slow  # the first render, before the data version's cache
    assert "20.0 ms" in quick and not quick.rstrip().endswith("OVER")
    assert "  skipped reviews:detail: no object: 'NoneType'" in lines
    assert lines[-1] == "Slowest page: slow /slow/ at 450 ms; 1 of 2 pages over 300 ms."


# The browser's figures -------------------------------------------------------------------


def test_without_chromium_the_browser_figures_are_skipped_saying_why(monkeypatch):
    monkeypatch.setattr(bench_browser, "CHROMIUM", "/nonexistent/chromium")
    assert bench_browser.skip_reason() == (
        "Chromium is missing (/nonexistent/chromium; Debian's package `chromium`)"
    )
    out = io.StringIO()
    show = bench_browser.measure("scale", "sqlite:///unused", OutputWrapper(out))
    show()
    assert "Chart pages in Chromium: skipped: Chromium is missing" in out.getvalue()


def test_the_summary_of_three_loads_by_hand():
    def load(ms, ttfb, drawn):
        files = [{"name": "http://x/static/a.js", "transfer": 300, "encoded": 290,
                  "decoded": 1000}, {"name": "http://x/static/b.css", "transfer": 50,
                  "encoded": 40, "decoded": 60}]  # fmt: skip
        return {"ttfb": ttfb, "load": ms, "html": 2000, "files": files, "drawn": drawn}

    row = bench_browser.summary("measure", "/m/", [load(900, 100, 950), load(700, 80, 760),
                                                   load(800, 90, 850)])  # fmt: skip
    # the medians of 900, 700, 800 ms and so on, in seconds; bytes of the first load: the
    # HTML's 2,000 and the files' 300 + 50
    assert (row["load"], row["ttfb"], row["drawn"]) == (0.8, 0.09, 0.85)
    assert row["transferred"] == 2350 and row["files"] == 3
    assert row["biggest"] == {"name": "a.js", "transfer": 300, "decoded": 1000}


@pytest.mark.django_db(transaction=True)
def test_a_chart_page_loads_in_chromium_from_a_live_server(live_server, monkeypatch):
    need_service("chromium")
    from importlib import import_module

    from django.conf import settings
    from django.contrib import auth

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs a loop here
    value = f.MeasureValueFactory(actual=95, target=100)
    user = f.UserFactory(is_superuser=True, is_staff=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[auth.SESSION_KEY] = str(user.pk)
    store[auth.BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    store[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    session = {"cookie": settings.SESSION_COOKIE_NAME, "session": store.session_key}
    server = SimpleNamespace(base=live_server.url, workers=1)
    path = f"/measures/{value.measure_id}/"
    bench_browser.warm_up(server, session, [("measure", path)])  # two requests, both 200
    with pytest.raises(RuntimeError, match=r"/measures/0/ answered \[404, 404\]"):
        bench_browser.warm_up(server, session, [("none", "/measures/0/")])
    (row,) = bench_browser.chart_page_loads(server, session, [("measure", path)], runs=2)
    assert row["name"] == "measure" and row["runs"] == 2
    assert 0 < row["ttfb"] <= row["load"] and row["drawn"] > 0
    # the HTML, the style sheet, Plotly's basic bundle and the script that draws the chart
    assert row["files"] >= 4 and row["biggest"]["name"] == "plotly-basic.min.js"
    assert row["biggest"]["decoded"] > 1_000_000


def test_the_runs_per_page_must_be_one_or_more():
    with pytest.raises(CommandError, match="--page-repeat must be at least 1"):
        call_command("bench", "--page-repeat", "0", stdout=io.StringIO())
