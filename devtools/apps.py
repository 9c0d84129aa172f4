"""Developer tools: the demo company (`seed_demo`), a company at scale (`seed_scale`), the
benchmarks (`bench`) and the load test (`loadtest`). Nothing imports them but the
project's wiring; the demo refuses to load unless DEBUG is on or it is told `--yes`."""

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "Developer tools"
