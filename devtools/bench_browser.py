"""A chart page's first load in a real browser with a cold cache (`make bench`, issue 14:
the HTML and every asset over loopback under 1 s).

gunicorn serves the bench database with the production settings (`loadtest.LoadServer`:
`collectstatic` first, so WhiteNoise sends the compressed files under their hashed names),
and Debian's Chromium, driven by Playwright, opens each chart page in a new browser context
(an empty cache) with an OSM staff member's session cookie. Per page, over `runs` loads: the
time from the start of the navigation to the load event (the HTML and every script, style
sheet and image), to the chart drawn by Plotly, and to the HTML's first byte, with the bytes
that crossed the network and the largest file as it travelled. Every worker renders each
page once before the timed loads (`warm_up`): the browser's cache is cold, not the server.
"""

import json
import statistics
from pathlib import Path

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
LOAD_TARGET = 1.0  # seconds

# The navigation's and the resources' figures, from the browser's own timing API.
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const files = performance.getEntriesByType("resource").map((r) => ({
    name: r.name, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize,
  }));
  return {ttfb: nav.responseStart, load: nav.loadEventEnd, html: nav.transferSize, files};
}"""


def skip_reason() -> str:
    """Why the browser figures cannot be taken here, or ''."""
    if not Path(CHROMIUM).exists():
        return f"Chromium is missing ({CHROMIUM}; Debian's package `chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (the dev extra: `make install`)"
    return ""


def measure(dataset: str, url: str, stdout):
    """Chart pages of `dataset`'s database (`url`) loaded in Chromium from gunicorn; returns
    what prints the figures (or why there are none)."""
    from .management.commands.loadtest import LoadServer

    reason = skip_reason()
    if reason:
        return lambda: stdout.write(f"\nChart pages in Chromium: skipped: {reason}.")
    server = LoadServer(url, 2, stdout)
    server.static_root = settings.VAR_DIR / "bench-static"
    server.env["STATIC_ROOT"] = str(server.static_root)
    session = server.prepare()
    paths = json.loads(
        server.shell(
            "import json; from django.db.models import Count;"
            "from scorecards.models import Measure, OrgUnit;"
            "root = OrgUnit.objects.get(kind='enterprise');"
            "m = Measure.objects.annotate(n=Count('values')).order_by('-n', 'pk').first();"
            "print(json.dumps([['measure', f'/measures/{m.pk}/'],"
            " ['objective', f'/objectives/{m.objective_id}/'],"
            " ['strategy test (enterprise)', f'/units/{root.code}/strategy-test/']]))"
        )
    )
    with server:
        warm_up(server, session, paths)
        rows = chart_page_loads(server, session, paths, runs=3)
    return lambda: print_loads(stdout, dataset, rows)


def warm_up(server, session: dict, paths: list[tuple[str, str]]) -> None:
    """Each page requested by every worker first, so that what is timed is a cold browser
    cache, not a worker's first render of the page: a few requests at once per page, as
    one at a time may all go to the same worker."""
    from concurrent.futures import ThreadPoolExecutor

    from .bench_http import http_request

    cookie = {"Cookie": f"{session['cookie']}={session['session']}"}

    def get(path: str) -> int:
        return http_request(server.base, "GET", path, headers=cookie)[0]

    with ThreadPoolExecutor(server.workers * 2) as pool:
        for _, path in paths:
            answers = list(pool.map(get, [path] * server.workers * 2))
            if any(status != 200 for status in answers):
                raise RuntimeError(f"{path} answered {answers}")


def chart_page_loads(server, session: dict, paths: list[tuple[str, str]], runs: int) -> list:
    """Each (name, path)'s figures over `runs` cold loads from the running `server`."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, path in paths:
                loads = [load(browser, server.base, session, path) for _ in range(runs)]
                rows.append(summary(name, path, loads))
        finally:
            browser.close()
    return rows


def load(browser, base: str, session: dict, path: str) -> dict:
    """One load of `path` in a fresh context (no cache, no connection kept): milliseconds
    from the navigation's start to its first byte, its load event and the chart drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.add_cookies([{"name": session["cookie"], "value": session["session"],
                              "url": base}])  # fmt: skip
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(base + path, wait_until="load")
        if response is None or response.status != 200:
            raise RuntimeError(f"{path} answered {response.status if response else 'nothing'}")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        drawn = page.evaluate("() => performance.now()")
        figures = page.evaluate(TIMING)
        if errors:
            raise RuntimeError(f"{path}: {errors[0]}")
        figures["drawn"] = drawn
        return figures
    finally:
        context.close()


def summary(name: str, path: str, loads: list[dict]) -> dict:
    """The median of the loads' times (seconds) and the first load's bytes."""
    first = loads[0]
    biggest = max(first["files"], key=lambda f: f["decoded"], default=None)
    return {
        "name": name,
        "path": path,
        "runs": len(loads),
        "load": statistics.median(x["load"] for x in loads) / 1000,
        "drawn": statistics.median(x["drawn"] for x in loads) / 1000,
        "ttfb": statistics.median(x["ttfb"] for x in loads) / 1000,
        "transferred": first["html"] + sum(f["transfer"] for f in first["files"]),
        "files": len(first["files"]) + 1,
        "biggest": biggest
        and {
            "name": biggest["name"].rsplit("/", 1)[-1],
            "transfer": biggest["transfer"],
            "decoded": biggest["decoded"],
        },
    }


def print_loads(stdout, dataset: str, rows: list[dict]) -> None:
    stdout.write(
        f"\nChart pages [{dataset}], first load in Chromium with a cold cache, gunicorn with "
        f"the production settings on loopback (target: load event under {LOAD_TARGET:.0f} s)"
    )
    for row in rows:
        big = row["biggest"]
        largest = (
            f"; largest {big['name']} {big['transfer'] / 1024:.0f} KB on the wire "
            f"({big['decoded'] / 1024:.0f} KB unpacked)"
            if big
            else ""
        )
        over = "  OVER" if row["load"] > LOAD_TARGET else ""
        stdout.write(
            f"  {row['name']} {row['path']}: load event {row['load'] * 1000:.0f} ms, chart "
            f"drawn {row['drawn'] * 1000:.0f} ms, first byte {row['ttfb'] * 1000:.0f} ms "
            f"(median of {row['runs']}); {row['files']} files, "
            f"{row['transferred'] / 1024:.0f} KB transferred{largest}{over}"
        )
