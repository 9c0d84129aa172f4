"""The `osm` app: base models (the outgoing-message ledger), roles and permission rules."""

from django.apps import AppConfig


class OsmConfig(AppConfig):
    name = "osm"
    verbose_name = "OSM"

    def ready(self):
        # Permission rules are declared once, in osm/rules.py; importing registers them.
        from . import rules  # noqa: F401
