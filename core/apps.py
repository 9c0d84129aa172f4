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
        from django.contrib.auth.signals import user_logged_in

        from . import i18n, rules, versioning

        # Every app has registered its models by now: the rules are derived from their
        # access declarations (core/scoping.py).
        rules.declare_all()
        versioning.connect()
        # A person's chosen language applies from sign-in on (core/i18n.py).
        user_logged_in.connect(i18n.remember_on_sign_in, dispatch_uid="osm-language-on-sign-in")
