"""The permission table: who may do what, as named policies that models declare
(core/scoping.py). Roles are described in core/roles.py.

A policy is read per action: any one of its grants is enough.
"""

from .roles import EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF
from .scoping import ANY_ROLE, Access, HeadsUnit, Owner, Policy, Role

STAFF = Role((OSM_STAFF,))
READS_ALL = Role((OSM_STAFF, EXECUTIVE, HR))
HEADS = HeadsUnit()

# The organisation and the perspectives: everyone reads, OSM staff write.
ORGANISATION = Policy(
    "organisation", view=(ANY_ROLE,), add=(STAFF,), change=(STAFF,), delete=(STAFF,)
)
# Scorecards, initiatives and reviews: everyone reads, unit heads write in their subtree.
STRATEGY = Policy(
    "strategy",
    view=(ANY_ROLE,),
    add=(STAFF, HEADS),
    change=(STAFF, HEADS),
    delete=(STAFF, HEADS),
)
# Action items: as the strategy, and their owners change them (mark them done).
ACTION_ITEMS = Policy(
    "action items",
    view=(ANY_ROLE,),
    add=(STAFF, HEADS),
    change=(STAFF, HEADS, Owner()),
    delete=(STAFF, HEADS),
)
# Values: measure owners enter and correct those of their own measures.
VALUES = Policy(
    "values",
    view=(ANY_ROLE,),
    add=(STAFF, HEADS, Owner(MEASURE_OWNER)),
    change=(STAFF, HEADS, Owner(MEASURE_OWNER)),
    delete=(STAFF, HEADS),
)
# Budgets: read by those who steer money, written by unit heads in their subtree.
BUDGET = Policy(
    "budget",
    view=(READS_ALL, HEADS),
    add=(STAFF, HEADS),
    change=(STAFF, HEADS),
    delete=(STAFF, HEADS),
)
# People: HR writes; unit heads read their subtree; employees read their own records.
PEOPLE = Policy(
    "people",
    view=(READS_ALL, HEADS, Owner()),
    add=(STAFF, Role((HR,))),
    change=(STAFF, Role((HR,))),
    delete=(STAFF, Role((HR,))),
)
# Test and adapt: everyone reads the verdicts; OSM staff start a run (it covers every map).
TEST_RESULTS = Policy(
    "test results", view=(ANY_ROLE,), add=(STAFF,), change=(STAFF,), delete=(STAFF,)
)
# The reporting cycle's months: everyone sees which are closed; OSM staff close and reopen
# them, and a month's record (with its closings and reopenings) is never deleted.
REPORTING = Policy("reporting months", view=(ANY_ROLE,), add=(STAFF,), change=(STAFF,))
# The outgoing-message ledger and queued jobs, users' groups, the job schedules and the
# login-protection records: OSM staff's business (in the admin).
STAFF_ONLY = Policy("staff only", view=(STAFF,), add=(STAFF,), change=(STAFF,), delete=(STAFF,))
# Analyses and comments: everyone with a role reads and writes them; who may write on which
# subject (its owner, the heads above, the OSM staff for an analysis; authors for their own
# comments, the OSM staff moderating) is communication/services.py's, as the subject varies.
COMMENTARY = Policy(
    "commentary", view=(ANY_ROLE,), add=(ANY_ROLE,), change=(ANY_ROLE,), delete=(ANY_ROLE,)
)
# A person's own rows (notifications, their preferences): his or hers alone, in the app
# and the API; code writes the notifications.
OWN_ROWS = Policy("own rows", view=(Owner(),), change=(Owner(),))
# Report subscriptions: anyone with a role subscribes himself to a unit's pack; OSM staff
# see and manage everyone's.
SUBSCRIPTIONS = Policy(
    "subscriptions",
    view=(STAFF, Owner()),
    add=(ANY_ROLE,),
    change=(STAFF, Owner()),
    delete=(STAFF, Owner()),
)
# Announcements: everyone with a role reads them; OSM staff and unit heads (for their
# subtree) publish them. Read marks are code's (INTERNAL).
ANNOUNCEMENTS = Policy(
    "announcements",
    view=(ANY_ROLE,),
    add=(STAFF, HEADS),
    change=(STAFF, HEADS),
    delete=(STAFF, HEADS),
)
# Awareness pulses: everyone with a role sees them (to answer one); OSM staff open, change
# and delete them. Answers and the record of who answered are code's alone (INTERNAL): no
# page, admin or API row shows them, only the pulse's results.
PULSES = Policy("pulses", view=(ANY_ROLE,), add=(STAFF,), change=(STAFF,), delete=(STAFF,))
# Best practices: anyone with a role reads and writes one; its author and the OSM staff
# change or delete it. Endorsements are code's (one per person, through the service).
PRACTICES = Policy(
    "practices",
    view=(ANY_ROLE,),
    add=(ANY_ROLE,),
    change=(STAFF, Owner()),
    delete=(STAFF, Owner()),
)
# Users: everyone with a role may look them up (owners, heads, attendees); OSM staff manage.
USERS = Policy("users", view=(ANY_ROLE,), add=(STAFF,), change=(STAFF,), delete=(STAFF,))
# Rows only code writes and nobody manages by hand (formula inputs, the data version,
# alignment snapshots): no permission for anyone.
INTERNAL = Policy("internal")

# The declarations of other packages' models (core/rules.py).
USERS_ACCESS = Access(USERS)
STAFF_ACCESS = Access(STAFF_ONLY)
# The security audit log: OSM staff read it; nobody writes or changes an entry (it is
# written by `core.audit` and pruned by the nightly job only).
AUDIT_LOG = Policy("audit log", view=(STAFF,))
