"""The demo's strategy refresh (issue 17): two published versions of the corporate map a
year apart. This year's is the map as it stands; last year's is the same map as the board
approved it a year earlier (its own targets, one objective added since, one renamed, one
re-weighted, one arrow drawn since): a step of `DemoBuilder` (builder.py)."""

import copy
import datetime as dt
from decimal import Decimal

from core.clock import current_fiscal_year
from scorecards import services as scorecard_services
from scorecards.models import StrategyVersion
from scorecards.selectors.versions import live_content

from . import company as c


class StrategySteps:
    """The published versions of the corporate map (mixed into DemoBuilder)."""

    def publish_strategy_versions(self) -> None:
        root = self.units[c.DEMO_ROOT_CODE]
        year = current_fiscal_year(self.window.today)
        now = scorecard_services.strategy_version_publish(
            actor=self.osm,
            data={"unit": root, "name": f"Strategy {year}",
                  "note": f"Approved in the strategy review of January {year}."},
        )  # fmt: skip
        earlier = self._a_year_before(live_content(root, year - 1))
        before = StrategyVersion.objects.create(
            unit=root, name=f"Strategy {year - 1}", fiscal_year=year - 1, content=earlier,
            published_by=self.osm,
            note=f"Approved in the strategy review of January {year - 1}.",
        )  # fmt: skip
        # Published a year apart: this year's at the start of the fiscal year, last year's
        # twelve months earlier.
        start = dt.datetime(year, 1, 15, 10, 0, tzinfo=dt.UTC)
        StrategyVersion.objects.filter(pk=now.pk).update(published_at=start)
        StrategyVersion.objects.filter(pk=before.pk).update(
            published_at=start.replace(year=year - 1)
        )

    @staticmethod
    def _a_year_before(content: dict) -> dict:
        """The map as it was a year earlier: the newest objective not there yet (with its
        arrows and measures), the first one under its old name, the second weighted 2, and
        the last arrow not drawn yet."""
        old = copy.deepcopy(content)
        objectives = old["objectives"]
        if len(objectives) >= 3:
            newest = objectives.pop()["code"]
            old["links"] = [link for link in old["links"] if newest not in link]
            old["measures"] = [m for m in old["measures"] if m["objective"] != newest]
            objectives[0]["name"] = f"{objectives[0]['name']} (first draft)"
            objectives[1]["weight"] = format(Decimal(objectives[1]["weight"]) * 2, "f")
        if old["links"]:
            old["links"].pop()
        return old
