"""The `osm` app: base models (the outgoing-message ledger), roles and permission rules."""

from django.apps import AppConfig


class OsmConfig(AppConfig):
    name = "osm"
    verbose_name = "OSM"

    def ready(self):
        # Permission rules are declared once, in osm/rules.py; importing registers them.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import rules  # noqa: F401

        # Any change to the apps' data moves the data version on (exact cache invalidation
        # for computed reads); not domain logic, so a signal is the right place.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_data_changed, dispatch_uid=f"osm-data-version-{signal}")


DATA_APPS = {"scorecards", "initiatives", "budgets", "people", "reviews"}


def _data_changed(sender, **kwargs):
    from django.apps import apps

    from .utils import data_changed

    meta = getattr(sender, "_meta", None)
    # Models of migrations live in their own registry (and may predate the counter's table).
    if meta and meta.apps is apps and meta.app_label in DATA_APPS:
        data_changed()
