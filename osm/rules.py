"""Every permission of OSM, declared once (django `rules`).

The admin, the views, the API and the templates all ask `user.has_perm(name, obj)`; the
names are Django's `app.action_model`. Without an object a rule answers "may this user
do it anywhere?"; with one it answers for that object. For `add_*` the object, when
given, is the parent the new row goes into (a unit, a measure, an employee, a meeting).

Roles are groups (created by a migration, names in osm/permissions.py):
- OSM staff: everything.
- Executive: reads everything.
- Unit head: edits the scorecards, values, initiatives, budget lines and reviews of the
  subtree of the units he or she heads (`OrgUnit.head`).
- HR: employees, goals and incentive components; reads everything.
- Measure owner: enters the values of the measures he or she owns.
- Employee: reads the strategy and his or her own goals and incentives.
"""

import rules

from .permissions import (
    EXECUTIVE,
    HR,
    MEASURE_OWNER,
    OSM_STAFF,
    ROLES,
    UNIT_HEAD,
    group_names,
    headed_subtree_ids,
)


def _in_group(name):
    @rules.predicate(name=f"in_group:{name}")
    def predicate(user):
        return user.is_authenticated and name in group_names(user)

    return predicate


is_osm_staff = rules.is_superuser | _in_group(OSM_STAFF)
is_executive = _in_group(EXECUTIVE)
is_hr = _in_group(HR)


@rules.predicate
def has_any_role(user):
    return user.is_authenticated and (user.is_superuser or bool(group_names(user) & set(ROLES)))


def unit_id_of(obj) -> int | None:
    """The unit an object belongs to, for unit-scoped rules."""
    name = obj._meta.model_name
    if name == "orgunit":
        return obj.pk
    if name == "measurevalue":
        return obj.measure.unit_id
    if name == "causeeffect":
        return obj.cause.unit_id
    if name == "cascadelink":
        return obj.supporting.unit_id
    if name == "rollupsource":
        return obj.rollup_measure.unit_id
    if name in ("milestone", "initiativeobjective"):
        return obj.initiative.unit_id
    if name in ("goal", "incentivecomponent"):
        return obj.employee.unit_id
    if name == "actionitem":
        return obj.meeting.unit_id
    return getattr(obj, "unit_id", None)


@rules.predicate
def heads_unit_of(user, obj=None):
    """A unit head acting inside the subtree he or she heads."""
    if not user.is_authenticated or UNIT_HEAD not in group_names(user):
        return False
    subtree = headed_subtree_ids(user)
    if obj is None:
        return bool(subtree)
    return unit_id_of(obj) in subtree


@rules.predicate
def owns_measure(user, obj=None):
    """A measure owner entering a value of a measure he or she owns (obj: measure or value)."""
    if not user.is_authenticated or MEASURE_OWNER not in group_names(user):
        return False
    if obj is None:
        return user.owned_measures.exists()
    measure = obj.measure if obj._meta.model_name == "measurevalue" else obj
    return measure.owner_id == user.pk


@rules.predicate
def is_own_record(user, obj=None):
    """An employee looking at his or her own employee record, goals or incentives."""
    if not user.is_authenticated:
        return False
    if obj is None:
        return hasattr(user, "employee")
    name = obj._meta.model_name
    if name == "employee":
        return obj.user_id == user.pk
    if name in ("goal", "incentivecomponent"):
        return obj.employee.user_id == user.pk
    return False  # a unit, say: no one's own record


@rules.predicate
def owns_action_item(user, obj=None):
    """The owner of an action item (other objects, such as its meeting, do not count);
    without an object: whether the user owns any item at all."""
    if obj is None:
        return user.is_authenticated and user.action_items.exists()
    return obj._meta.model_name == "actionitem" and obj.owner_id == user.pk


reads_all = is_osm_staff | is_executive | is_hr
# A relationship (own record, owned action item) grants something only to a user with a
# role: a user without one may do nothing at all.
reads_own_record = has_any_role & is_own_record
changes_own_action_item = has_any_role & owns_action_item

STRATEGY = {
    "scorecards": ["theme", "objective", "cascadelink", "causeeffect", "measure", "rollupsource"],
    "initiatives": ["initiative", "milestone", "initiativeobjective"],
    "reviews": ["reviewmeeting", "actionitem", "calendarevent"],
}
PEOPLE = {"people": ["employee", "goal", "incentivecomponent", "goaltemplate"]}


def _declare(app_model_map, *, view, add, change, delete):
    for app_label, models in app_model_map.items():
        for model in models:
            for action, predicate in (
                ("view", view),
                ("add", add),
                ("change", change),
                ("delete", delete),
            ):
                rules.set_perm(f"{app_label}.{action}_{model}", predicate)


# The organisation and the perspectives: everyone reads, OSM staff write.
_declare(
    {"scorecards": ["orgunit", "perspective"]},
    view=has_any_role,
    add=is_osm_staff,
    change=is_osm_staff,
    delete=is_osm_staff,
)
# Scorecards, initiatives and reviews: everyone reads, unit heads write in their subtree.
_declare(
    STRATEGY,
    view=has_any_role,
    add=is_osm_staff | heads_unit_of,
    change=is_osm_staff | heads_unit_of,
    delete=is_osm_staff | heads_unit_of,
)
rules.set_perm("reviews.change_actionitem", is_osm_staff | heads_unit_of | changes_own_action_item)
# Values: measure owners enter and correct those of their own measures.
_declare(
    {"scorecards": ["measurevalue"]},
    view=has_any_role,
    add=is_osm_staff | heads_unit_of | owns_measure,
    change=is_osm_staff | heads_unit_of | owns_measure,
    delete=is_osm_staff | heads_unit_of,
)
# Budgets: read by those who steer money, written by unit heads in their subtree.
_declare(
    {"budgets": ["budgetline"]},
    view=reads_all | heads_unit_of,
    add=is_osm_staff | heads_unit_of,
    change=is_osm_staff | heads_unit_of,
    delete=is_osm_staff | heads_unit_of,
)
# People: HR writes; unit heads read their subtree; employees read their own.
_declare(
    PEOPLE,
    view=reads_all | heads_unit_of | reads_own_record,
    add=is_osm_staff | is_hr,
    change=is_osm_staff | is_hr,
    delete=is_osm_staff | is_hr,
)
# Test and adapt: everyone reads the verdicts; OSM staff start a run (it covers every map).
_declare(
    {"alignment": ["strategytestrun", "strategytestresult"]},
    view=has_any_role,
    add=is_osm_staff,
    change=is_osm_staff,
    delete=is_osm_staff,
)
# The outgoing-message ledger is OSM staff's business.
_declare(
    {"osm": ["outgoingmessage", "queuedtask"]},
    view=is_osm_staff,
    add=is_osm_staff,
    change=is_osm_staff,
    delete=is_osm_staff,
)


# Everyone with a role may look users up (owners, heads, attendees); the admin manages them.
rules.set_perm("auth.view_user", has_any_role | is_osm_staff)
# The admin: OSM staff also manage users, groups and the job schedules there.
_declare(
    {
        "auth": ["group"],
        "axes": ["accessattempt", "accessfailurelog", "accesslog"],
        "django_celery_beat": [
            "periodictask",
            "crontabschedule",
            "intervalschedule",
            "solarschedule",
            "clockedschedule",
        ],
    },
    view=is_osm_staff,
    add=is_osm_staff,
    change=is_osm_staff,
    delete=is_osm_staff,
)
for _action in ("add", "change", "delete"):
    rules.set_perm(f"auth.{_action}_user", is_osm_staff)
# Module permissions (an app shows on the admin index) for OSM staff.
for _app_label in (
    "osm",
    "scorecards",
    "initiatives",
    "budgets",
    "people",
    "reviews",
    "auth",
    "axes",
    "django_celery_beat",
):
    rules.set_perm(_app_label, is_osm_staff)
