"""Front-end files are served from the repo itself (the app must work without internet)."""

import hashlib
from pathlib import Path

import plotly
from django.conf import settings


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_vendored_plotly_is_the_one_the_plotly_package_ships():
    vendored = Path(settings.BASE_DIR) / "static/vendor/plotly/plotly.min.js"
    shipped = Path(plotly.__file__).parent / "package_data/plotly.min.js"
    assert digest(vendored) == digest(shipped), (
        "static/vendor/plotly/plotly.min.js differs from the installed plotly package's: "
        "copy it again (see static/vendor/README.md)."
    )


def test_templates_name_no_remote_script_or_style():
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = template.read_text()
        assert "://" not in text.replace("http://127.0.0.1", ""), template
