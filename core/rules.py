"""Every permission of OSM, registered with django `rules` from the models' access
declarations (core/scoping.py), so that the admin, the views, the API and the templates
can all ask `user.has_perm("app.action_model", obj)` by name.

Models of other packages that OSM staff manage in the admin (users, groups, the job
schedules, login protection) are declared here.
"""

import rules
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import policies
from .roles import OSM_STAFF, has_role
from .scoping import ACTIONS, access_of, allows, declare, perm_name

STAFF_MANAGED = (
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "django_celery_beat.periodictask",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
)


@rules.predicate
def is_osm_staff(user):
    return has_role(user, OSM_STAFF)


def _rule(model, action: str):
    @rules.predicate(name=perm_name(model, action))
    def predicate(user, obj=None):
        return allows(user, model, action, obj)

    return predicate


def declare_all() -> None:
    """Register a rule for every action on every declared model, and the admin's module
    permissions (an app shows on the admin index) for OSM staff."""
    declare(get_user_model(), policies.USERS_ACCESS)
    declare(Group, policies.STAFF_ACCESS)
    for label in STAFF_MANAGED:
        declare(apps.get_model(label), policies.STAFF_ACCESS)
    labels = set()
    for model in apps.get_models():
        if access_of(model) is None:
            continue
        labels.add(model._meta.app_label)
        for action in ACTIONS:
            rules.set_perm(perm_name(model, action), _rule(model, action))
    for label in labels:
        rules.set_perm(label, is_osm_staff)
