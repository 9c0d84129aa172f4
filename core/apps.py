"""The kernel app: base models (the outbox ledger, queued jobs, the data version), roles
and the permission rules derived from each model's access declaration.

Its app label stays `osm`, the label these tables, migrations and permission names have had
since release 1, so existing databases upgrade with `migrate` and nothing else.
"""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "osm"
    verbose_name = "OSM"

    def ready(self):
        from . import rules, versioning

        # Every app has registered its models by now: the rules are derived from their
        # access declarations (core/scoping.py).
        rules.declare_all()
        versioning.connect()
