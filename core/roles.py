"""OSM's roles (Django groups, created by a migration) and what a user has of them.

- OSM staff: everything.
- Executive: reads everything.
- Unit head: edits the scorecards, values, initiatives, budget lines and reviews of the
  subtree of the units he or she heads (`OrgUnit.head`).
- HR: employees, goals and incentive components; reads everything.
- Measure owner: enters the values of the measures he or she owns.
- Employee: reads the strategy and his or her own goals and incentives.

Who may do what with which rows is declared once per model (core/scoping.py).

A role's name is the name of its group: data (the migration writes it, the API gives it, the
rules compare it), so it stays English. Where a person reads it, `role_label` gives it in the
active language.
"""

from django.utils.translation import pgettext_lazy

OSM_STAFF = "OSM staff"
EXECUTIVE = "Executive"
UNIT_HEAD = "Unit head"
HR = "HR"
MEASURE_OWNER = "Measure owner"
EMPLOYEE = "Employee"

ROLES = (OSM_STAFF, EXECUTIVE, UNIT_HEAD, HR, MEASURE_OWNER, EMPLOYEE)

# The roles as people read them (the group names stay as they are).
ROLE_LABELS = {
    OSM_STAFF: pgettext_lazy("role", "OSM staff"),
    EXECUTIVE: pgettext_lazy("role", "Executive"),
    UNIT_HEAD: pgettext_lazy("role", "Unit head"),
    HR: pgettext_lazy("role", "HR"),
    MEASURE_OWNER: pgettext_lazy("role", "Measure owner"),
    EMPLOYEE: pgettext_lazy("role", "Employee"),
}


def role_label(name: str) -> str:
    """A role's name as people read it, in the active language ("Unit head" is
    "Responsable d'unité" in French); a group that is not one of OSM's roles by its name."""
    label = ROLE_LABELS.get(name)
    return name if label is None else str(label)


def group_names(user) -> set[str]:
    """The user's role names (cached on the user object for the request)."""
    if not hasattr(user, "_osm_group_names"):
        user._osm_group_names = set(user.groups.values_list("name", flat=True))
    return user._osm_group_names


def has_role(user, *names: str) -> bool:
    """Superusers have every role; others the groups they are in."""
    return user.is_authenticated and (user.is_superuser or bool(group_names(user) & set(names)))
