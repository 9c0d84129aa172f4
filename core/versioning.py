"""The data version: one counter that moves on with every committed change to OSM's data,
so that heavy computed reads (the alignment report, dashboards' metrics) can be cached
exactly: a cache entry names the version it was computed at and is never served once the
data has moved on."""

from django.apps import apps
from django.conf import settings
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import DataVersion


def data_version() -> str:
    """The current data version (see DataVersion): its epoch and counter."""
    row = DataVersion.objects.filter(pk=1).values_list("epoch", "counter").first()
    return f"{row[0]}-{row[1]}" if row else "none"


def data_changed() -> None:
    """Move the data version on: cached computed reads stop being served. Writes through
    the ORM call this by signal (`connect`); bulk writes that send no signals call it.
    The row is made by a migration, so concurrent first writes cannot share a number."""
    if not DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1):
        DataVersion.objects.get_or_create(pk=1)  # after a flush; a new epoch
        DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1)


def _on_change(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    # Models of migrations live in their own registry (and may predate the counter's table).
    if meta and meta.apps is apps and meta.app_label in settings.OSM_DATA_APPS:
        data_changed()


def connect() -> None:
    """Any change to the apps' data moves the version on: not domain logic, so a signal is
    the right place (the apps whose data counts are the setting `OSM_DATA_APPS`)."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"osm-data-version-{signal}")
