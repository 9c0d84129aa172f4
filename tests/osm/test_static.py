"""Front-end files: served from the repo itself (the app must work without internet), only the
Plotly bundle the charts need, and compressed and cached for a year once collected."""

import ast
import hashlib
import json
import os
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from plotly.basedatatypes import BaseTraceType
from whitenoise.middleware import WhiteNoiseMiddleware

from osm.staticfiles import DevelopmentStaticStorage
from tests.osm.test_every_page import FILES, PAGES, POST_ONLY, demo_objects

BASE = Path(settings.BASE_DIR)
BUNDLE = BASE / "static/vendor/plotly/plotly-basic.min.js"
VENDOR_README = BASE / "static/vendor/README.md"
# The packages of the app (the figure builders live in their charts.py modules).
APP_PACKAGES = [
    "core", "scorecards", "initiatives", "budgets", "people", "alignment", "reviews",
    "dashboards", "devtools", "osm",
]  # fmt: skip
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")
A_YEAR_OR_MORE = "max-age=315360000"  # WhiteNoise's "forever" for hashed names: 10 years


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bundle_trace_types() -> set[str]:
    """The trace types the vendored bundle registers, read from the file itself, so a bundle
    vendored in its place is judged by what it holds."""
    text = BUNDLE.read_text()
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', text))


def help_for(kind: str) -> str:
    return (
        f"trace type {kind!r} is not in the vendored plotly.js bundle "
        f"(static/vendor/plotly/plotly-basic.min.js has {sorted(bundle_trace_types())}): draw "
        "the chart with those, or vendor a bundle that has it (static/vendor/README.md says how)."
    )


# The bundle --------------------------------------------------------------------------------


def test_the_vendored_plotly_is_the_basic_bundle_of_the_version_the_figures_are_built_for():
    header = BUNDLE.read_text()[:200]
    found = re.search(r"plotly\.js \(basic - minified\) v(\S+)", header)
    assert found, f"{BUNDLE.name} is not plotly.js's basic bundle: {header!r}"
    wanted = plotly.offline.get_plotlyjs_version()
    assert found.group(1) == wanted, (
        f"The plotly Python package builds figures for plotly.js {wanted}; the vendored "
        f"bundle is {found.group(1)}: vendor plotly.js-basic-dist-min@{wanted} "
        "(static/vendor/README.md)."
    )
    readme = VENDOR_README.read_text()
    assert f"version **{wanted}**" in readme and digest(BUNDLE) in readme, (
        "static/vendor/README.md must name the vendored version and the file's sha256."
    )
    assert (BUNDLE.parent / "LICENSE").read_text().startswith("MIT License")


def test_the_basic_bundle_draws_scatter_bar_and_pie_and_is_a_quarter_of_the_full_one():
    assert bundle_trace_types() == {"scatter", "bar", "pie"}
    assert not (BUNDLE.parent / "plotly.min.js").exists(), "the full bundle is not served"
    assert BUNDLE.stat().st_size < 1.5e6  # the full bundle of plotly.js 4.1.1: 4.8 MB


def test_the_trace_types_read_from_the_bundle_are_the_ones_it_registers():
    # The pattern finds trace modules only: not components (legend, shapes) or locales.
    assert "heatmap" not in bundle_trace_types()
    assert 'moduleType:"component",name:"legend"' in BUNDLE.read_text()
    assert "legend" not in bundle_trace_types()


def trace_classes() -> dict[str, str]:
    """plotly.graph_objects' trace classes by name: {"Heatmap": "heatmap", ...}."""
    return {
        name: cls().type
        for name in dir(go)
        if isinstance(cls := getattr(go, name), type) and issubclass(cls, BaseTraceType)
    }


def trace_types_used(tree: ast.AST, classes: dict[str, str]) -> set[str]:
    """The trace types a module's code names: `go.Heatmap(...)` or a class imported from
    plotly.graph_objects by whatever alias, and `"type": "heatmap"` in a dict literal."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in classes:
            used.add(classes[node.attr])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("plotly.graph"):
            used |= {classes[a.name] for a in node.names if a.name in classes}
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant) and key.value == "type"
                    and isinstance(value, ast.Constant) and value.value in classes.values()
                ):  # fmt: skip
                    used.add(value.value)
    return used


def test_the_code_builds_figures_only_of_trace_types_the_bundle_has():
    classes = trace_classes()
    available = bundle_trace_types()
    problems, seen = [], set()
    for package in APP_PACKAGES:
        for module in sorted((BASE / package).rglob("*.py")):
            if "migrations" in module.parts:
                continue
            text = module.read_text()
            tree = ast.parse(text)
            if "plotly.express" in text:
                problems.append(
                    f"{module.relative_to(BASE)}: plotly.express picks trace types itself; "
                    "build figures with plotly.graph_objects so this test can check them"
                )
            used = trace_types_used(tree, classes)
            seen |= used
            problems += [f"{module.relative_to(BASE)}: {help_for(t)}" for t in used - available]
    assert not problems, "\n".join(problems)
    assert {"scatter", "bar"} <= seen  # the check reads the figure builders


def test_the_check_finds_a_heatmap_however_it_is_written():
    classes = trace_classes()
    for source in (
        "import plotly.graph_objects as go\ngo.Figure(go.Heatmap(z=[[1]]))",
        "from plotly.graph_objects import Heatmap as H\nH(z=[[1]])",
        "figure = {'data': [{'type': 'heatmap', 'z': [[1]]}]}",
    ):
        assert trace_types_used(ast.parse(source), classes) == {"heatmap"}, source
    assert "heatmap" not in bundle_trace_types()


@pytest.mark.django_db
def test_every_chart_on_every_page_uses_trace_types_the_bundle_has(client):
    """Every figure the demo's pages draw, as the browser gets it (the JSON of each
    data-chart element), for the OSM staff, who see every page."""
    call_command("seed_demo", "--yes", verbosity=0)
    client.force_login(get_user_model().objects.get(username="osm"))
    objects = demo_objects()
    available = bundle_trace_types()
    charts, problems = 0, []
    for name, url in PAGES.items():
        if name in POST_ONLY or name in FILES or name == "logout":
            continue  # files: no Plotly in a workbook or a PDF
        try:
            path = url(objects)
        except AttributeError:  # the demo has no such object (a page another test covers)
            continue
        html = client.get(path).content.decode()
        for chart_id in re.findall(r'data-chart="([^"]+)"', html):
            block = re.search(
                rf'<script id="{re.escape(chart_id)}" type="application/json">(.*?)</script>',
                html,
                re.DOTALL,
            )
            if block is None or block.group(1) == "null":
                continue
            charts += 1
            for trace in json.loads(block.group(1))["data"]:
                kind = trace.get("type", "scatter")  # plotly.js's default
                if kind not in available:
                    problems.append(f"{path} chart {chart_id}: {help_for(kind)}")
    assert not problems, "\n".join(problems)
    assert charts >= 6  # measure, objective, alignment, initiatives, budgets, calendar...


# Templates -------------------------------------------------------------------------------


def test_templates_name_no_remote_script_or_style():
    for template in (BASE / "templates").rglob("*.html"):
        text = template.read_text()
        assert "://" not in text.replace("http://127.0.0.1", ""), template


def test_every_static_file_a_template_names_exists():
    """A missing file would be a 500 in production (the manifest has no entry for it)."""
    named = {
        (template.relative_to(BASE), path)
        for template in (BASE / "templates").rglob("*.html")
        for path in STATIC_TAG.findall(template.read_text())
    }
    assert any(path == "vendor/plotly/plotly-basic.min.js" for _, path in named)
    missing = [f"{template}: {path}" for template, path in named if not finders.find(path)]
    assert not missing, "\n".join(missing)


# Compressed and cached -------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with production's storage into a fresh directory (the project's own
    static/ only: the apps' files take the same path and minutes to compress)."""
    root = tmp_path_factory.mktemp("collected") / "static"
    with override_settings(
        STATIC_ROOT=str(root),
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def hashed(root: Path, name: str) -> str:
    return json.loads((root / "staticfiles.json").read_text())["paths"][name]


def serve(path: str, encoding: str = "br, gzip", **configured):
    """A request for `path` through WhiteNoise as production configures it (DEBUG off)."""
    configured = {"DEBUG": False, "WHITENOISE_USE_FINDERS": False, **configured}
    with override_settings(**configured):
        middleware = WhiteNoiseMiddleware(lambda request: pytest.fail(f"{path} not served"))
        return middleware(RequestFactory().get(path, HTTP_ACCEPT_ENCODING=encoding))


def test_production_storage_writes_the_bundle_compressed_under_a_hashed_name(collected):
    name = hashed(collected, "vendor/plotly/plotly-basic.min.js")
    assert re.fullmatch(r"vendor/plotly/plotly-basic\.min\.[0-9a-f]{12}\.js", name)
    original = (collected / name).stat().st_size
    assert original == BUNDLE.stat().st_size
    # Brotli and gzip copies beside it, each under a third of the 1.19 MB (about 290 KB
    # and 400 KB for plotly.js 4.1.1).
    assert (collected / f"{name}.br").stat().st_size < original / 3
    assert (collected / f"{name}.gz").stat().st_size < original / 3


def test_whitenoise_serves_a_hashed_file_compressed_and_cached_for_years(collected):
    name = hashed(collected, "vendor/plotly/plotly-basic.min.js")
    response = serve(f"/static/{name}")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert A_YEAR_OR_MORE in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert int(response["Content-Length"]) < BUNDLE.stat().st_size / 3
    gzipped = serve(f"/static/{name}", encoding="gzip")
    assert gzipped["Content-Encoding"] == "gzip"


def test_a_plain_name_is_cached_briefly_since_its_content_may_change(collected):
    response = serve("/static/vendor/plotly/plotly-basic.min.js")
    assert response.status_code == 200
    assert A_YEAR_OR_MORE not in response["Cache-Control"]
    assert response["Cache-Control"] == "max-age=60, public"


# Development (`make run`) ----------------------------------------------------------------


def development_storage(root: Path) -> DevelopmentStaticStorage:
    return DevelopmentStaticStorage(location=str(root), base_url="/static/")


def test_development_names_collected_files_by_their_hash_in_debug(collected):
    name = hashed(collected, "vendor/plotly/plotly-basic.min.js")
    with override_settings(DEBUG=True):
        storage = development_storage(collected)
        assert storage.url("vendor/plotly/plotly-basic.min.js") == f"/static/{name}"


def test_development_names_a_file_changed_since_collectstatic_plainly(collected):
    source = finders.find("js/charts.js")
    copy = collected / "js/charts.js"
    # the source one minute newer than its copy: edited after `make run` collected it
    stamp, collected_at = Path(source).stat().st_mtime, copy.stat().st_mtime
    os.utime(copy, (stamp - 60, stamp - 60))
    try:
        with override_settings(DEBUG=True):
            storage = development_storage(collected)
            assert storage.url("js/charts.js") == "/static/js/charts.js"
            # a file never collected is named plainly too, not an error
            assert storage.url("js/not-collected.js") == "/static/js/not-collected.js"
    finally:
        os.utime(copy, (collected_at, collected_at))
    with override_settings(DEBUG=True):
        assert development_storage(collected).url("js/charts.js") != "/static/js/charts.js"


def test_development_without_collectstatic_names_files_plainly(tmp_path):
    with override_settings(DEBUG=True):
        storage = development_storage(tmp_path)
        assert storage.url("js/charts.js") == "/static/js/charts.js"


def test_development_server_sends_collected_files_compressed_and_cached(collected):
    """`make run`: DEBUG on, WhiteNoise looking in static/ as well (its finders) and
    rescanning on each request, the development storage naming the hashed files."""
    development = {
        "DEBUG": True,
        "STATIC_ROOT": str(collected),
        "WHITENOISE_USE_FINDERS": True,
        "WHITENOISE_AUTOREFRESH": True,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "osm.staticfiles.DevelopmentStaticStorage"},
        },
    }
    name = hashed(collected, "vendor/plotly/plotly-basic.min.js")
    response = serve(f"/static/{name}", **development)
    assert response["Content-Encoding"] == "br"
    assert A_YEAR_OR_MORE in response["Cache-Control"]
    # the plain name, as an edited file gets: served fresh from static/, not cached
    fresh = serve("/static/js/charts.js", **development)
    assert fresh.status_code == 200 and A_YEAR_OR_MORE not in fresh["Cache-Control"]
    assert fresh["Cache-Control"] == "max-age=0, public"
