"""What a web worker does on starting (issue 14, light and quick): it imports the URLs, so
its first visitor does not wait for them, and not the statistics libraries, which only a
strategy test run needs (together a second and a half of a worker's start, measured at
seed_scale)."""

import os
import subprocess
import sys

from django.conf import settings

STARTUP = """
import sys
import osm.wsgi
print(",".join(m for m in ("osm.urls", "alignment.views", "scipy", "statsmodels", "pandas")
               if m in sys.modules))
"""


def test_the_wsgi_application_loads_the_urls_but_not_the_statistics(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "osm.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 40,
        "ALLOWED_HOSTS": "osm.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "-c", STARTUP],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["osm.urls,alignment.views"]


def test_a_strategy_test_still_finds_its_statistics():
    from alignment import testing

    # Pearson's r of (1, 2), (2, 4), (3, 5), (4, 4), (5, 6): means 3 and 4.2; deviations
    # x: -2 -1 0 1 2, y: -2.2 -0.2 0.8 -0.2 1.8; Σxy = 4.4 + 0.2 + 0 - 0.2 + 3.6 = 8;
    # Σx² = 10; Σy² = 4.84 + 0.04 + 0.64 + 0.04 + 3.24 = 8.8; r = 8 / √88 = 0.8528
    (lag,) = testing.lag_correlations([({1: 1, 2: 2, 3: 3, 4: 4, 5: 5},
                                        {1: 2, 2: 4, 3: 5, 4: 4, 5: 6})],
                                      max_lag=0, min_periods=3)  # fmt: skip
    assert round(lag.r, 4) == 0.8528
