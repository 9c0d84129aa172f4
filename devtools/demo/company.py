"""Static definition of the demo company, Meridian Group: its units, named people, strategy
maps, measures, initiatives and budget templates.

Everything here is plain data, so the story can be read (and changed) in one place. The
builder (`devtools/demo/builder.py`) writes it through the services; `devtools/demo/story.py` turns
each measure's numbers into targets and actuals.

References between definitions use codes: units by unit code, objectives and measures as
`UNIT.CODE`, people by username.
"""

from dataclasses import dataclass

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD

DEMO_PASSWORD = "demo-password"
DEMO_ROOT_CODE = "MERIDIAN"
EMAIL_DOMAIN = "meridian.example"
SEED = 20240601  # every random choice of the demo derives from this (see story.rng_for)

# Perspective keys used below -> the names the scorecards migration creates.
PERSPECTIVES = {
    "F": "Financial",
    "C": "Customer",
    "P": "Internal Process",
    "L": "Learning & Growth",
}


@dataclass(frozen=True)
class Person:
    """A named person: a user (a demo login or a plain user without a usable password) who
    is also an employee of `unit` (unless `unit` is None)."""

    username: str
    first_name: str
    last_name: str
    title: str
    unit: str | None
    groups: tuple[str, ...] = ()
    login: bool = False  # a demo login with DEMO_PASSWORD; others cannot log in
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Unit:
    """An org unit, its head (a username) and how many employees it has in all (the named
    people of the unit included)."""

    code: str
    name: str
    kind: str
    parent: str | None
    head: str
    headcount: int
    job_family: str


@dataclass(frozen=True)
class Obj:
    """An objective of a unit's strategy map; `supports` names ancestor objectives."""

    unit: str
    code: str
    name: str
    perspective: str  # F, C, P or L
    supports: tuple[str, ...] = ()
    theme: str | None = None
    weight: str = "1"
    description: str = ""


@dataclass(frozen=True)
class Kpi:
    """A measure and the shape of its story.

    Targets start at `base` (per period) and change by `growth` each fiscal year (negative
    growth lowers the target of a lower-is-better measure). Actuals follow the target,
    bent by `story` (see story.STORIES) scaled by `amp`, plus noise of `sigma`, plus for a
    measure that `follows` another that one's deviation some months earlier (the
    cause-and-effect the strategy tests look for); `red` is the red flag's distance from
    the target as a fraction (None: leave it empty so the measure's tolerance applies).
    Calculated (`formula`) and rollup measures get targets only.
    """

    unit: str
    objective: str
    code: str
    name: str
    label: str
    polarity: str  # "increase" or "decrease"
    frequency: str  # "monthly", "quarterly" or "annual"
    base: float
    growth: float = 0.0
    story: str = "steady"
    amp: float = 1.0
    sigma: float = 0.02
    red: float | None = 0.10
    decimals: int = 1
    cap: float | None = None  # targets never go beyond it (percentages, availability)
    ceiling: float | None = None  # actuals never go beyond it (100 for a percentage)
    aggregation: str = "last"
    seasonal: bool = False  # monthly flows follow the business's seasons
    owner: str | None = None  # None: the unit's head
    tolerance: str | None = None
    formula: str | None = None
    rollup: str = "none"
    sources: tuple[str, ...] = ()
    overdue: bool = False  # its owner has not reported the latest periods
    since: int | None = None  # introduced this many months ago (history from then on)
    # (measure "UNIT.CODE", lag in months, gain): its performance follows that measure's
    # `lag` months later (story.lead_of); the strategy tests should find it (gain < 0:
    # the data contradict the arrow).
    follows: tuple[str, int, float] | None = None
    red_note: str = ""  # the owner's explanation on a recent red value
    description: str = ""


@dataclass(frozen=True)
class Plan:
    """A strategic initiative. Dates are month offsets from the first month of the demo's
    36-month window (negative is before it), so the demo always looks current."""

    unit: str
    code: str
    name: str
    owner: str
    status: str
    start: int
    end: int | None
    percent: int
    objectives: tuple[str, ...] = ()
    milestones: tuple[tuple[str, int, bool], ...] = ()  # (name, due offset, done)
    budget: int = 0  # STRATEX per fiscal year it runs in (EUR)
    capex: bool = False  # funded as CAPEX rather than STRATEX
    description: str = ""


@dataclass(frozen=True)
class Login:
    """A demo login shown in the command's table."""

    username: str
    role: str


# People --------------------------------------------------------------------------------------

PEOPLE: tuple[Person, ...] = (
    # The six demo logins (one per role) and the administrator.
    Person(
        "osm",
        "Sophie",
        "Laurent",
        "Head of the Office of Strategy Management",
        "MERIDIAN",
        (OSM_STAFF,),
        login=True,
        is_staff=True,
    ),
    Person(
        "executive",
        "Catherine",
        "Moreau",
        "Chief Executive Officer",
        "MERIDIAN",
        (EXECUTIVE,),
        login=True,
    ),
    Person(
        "unithead",
        "Daniel",
        "Okafor",
        "Managing Director, Industrial Equipment",
        "IND",
        (UNIT_HEAD, MEASURE_OWNER),
        login=True,
    ),
    Person("hr", "Hannah", "Richter", "HR Business Partner", "HR", (HR,), login=True),
    Person(
        "owner",
        "Oscar",
        "Lindqvist",
        "Manufacturing Performance Analyst",
        "IND_MFG",
        (MEASURE_OWNER,),
        login=True,
    ),
    Person("employee", "Emma", "Novak", "Key Account Manager", "IND_SAL", (EMPLOYEE,), login=True),
    Person(
        "admin",
        "Demo",
        "Administrator",
        "System administrator",
        None,
        (),
        login=True,
        is_staff=True,
        is_superuser=True,
    ),
    # Heads of the other units: plain users (no usable password) so the data has real owners.
    Person("rkumar", "Raj", "Kumar", "Managing Director, Field Services", "SVC"),
    Person("lchen", "Li", "Chen", "Managing Director, Digital Solutions", "DIG"),
    Person("mbell", "Marcus", "Bell", "Chief People Officer", "HR"),
    Person("ajohansson", "Anna", "Johansson", "Chief Information Officer", "IT"),
    Person("pfernandez", "Pablo", "Fernández", "Chief Financial Officer", "FIN"),
    Person("tmuller", "Thomas", "Müller", "Head of Industrial Sales", "IND_SAL"),
    Person("gricci", "Giulia", "Ricci", "Plant Manager", "IND_MFG"),
    Person("kwalsh", "Kevin", "Walsh", "Quality Assurance Lead", "IND_QA"),
    Person("nokoye", "Ngozi", "Okoye", "Head of Service Operations", "SVC_OPS"),
    Person("jdubois", "Julie", "Dubois", "Head of Customer Care", "SVC_CC"),
    Person("vpatel", "Vikram", "Patel", "Head of Product Development", "DIG_PRD"),
    Person("sberg", "Sara", "Berg", "Head of Digital Sales", "DIG_SAL"),
    Person("cgarcia", "Carmen", "García", "Head of Talent Acquisition", "HR_TAL"),
    Person("ptanaka", "Paul", "Tanaka", "Head of Learning & Development", "HR_LD"),
    Person("bzielinski", "Bartosz", "Zieliński", "Head of Infrastructure", "IT_INF"),
    Person("ehansen", "Erik", "Hansen", "Head of Business Applications", "IT_APP"),
    Person("ifischer", "Ingrid", "Fischer", "Head of Controlling", "FIN_CTL"),
    Person("omartin", "Olivier", "Martin", "Chief Accountant", "FIN_ACC"),
)

# The plain heads steer their units and report their measures.
PLAIN_HEAD_GROUPS = (UNIT_HEAD, MEASURE_OWNER)

LOGINS: tuple[Login, ...] = (
    Login("osm", OSM_STAFF),
    Login("executive", EXECUTIVE),
    Login("unithead", UNIT_HEAD),
    Login("hr", HR),
    Login("owner", MEASURE_OWNER),
    Login("employee", EMPLOYEE),
    Login("admin", "Superuser (Django admin)"),
)

# Units ---------------------------------------------------------------------------------------

UNITS: tuple[Unit, ...] = (
    Unit("MERIDIAN", "Meridian Group", "enterprise", None, "executive", 8, "Management"),
    Unit("IND", "Industrial Equipment", "business", "MERIDIAN", "unithead", 4, "Management"),
    Unit("IND_SAL", "Industrial Sales", "department", "IND", "tmuller", 18, "Sales"),
    Unit("IND_MFG", "Manufacturing", "department", "IND", "gricci", 36, "Operations"),
    Unit("IND_QA", "Quality Assurance", "team", "IND_MFG", "kwalsh", 10, "Quality"),
    Unit("SVC", "Field Services", "business", "MERIDIAN", "rkumar", 3, "Management"),
    Unit("SVC_OPS", "Service Operations", "department", "SVC", "nokoye", 30, "Field service"),
    Unit("SVC_CC", "Customer Care", "department", "SVC", "jdubois", 20, "Customer care"),
    Unit("DIG", "Digital Solutions", "business", "MERIDIAN", "lchen", 3, "Management"),
    Unit("DIG_PRD", "Product Development", "department", "DIG", "vpatel", 22, "Engineering"),
    Unit("DIG_SAL", "Digital Sales", "department", "DIG", "sberg", 10, "Sales"),
    Unit("HR", "Human Resources", "support", "MERIDIAN", "mbell", 4, "Human resources"),
    Unit("HR_TAL", "Talent Acquisition", "department", "HR", "cgarcia", 6, "Human resources"),
    Unit("HR_LD", "Learning & Development", "department", "HR", "ptanaka", 5, "Human resources"),
    Unit("IT", "Information Technology", "support", "MERIDIAN", "ajohansson", 3, "IT"),
    Unit("IT_INF", "Infrastructure & Operations", "department", "IT", "bzielinski", 10, "IT"),
    Unit("IT_APP", "Business Applications", "department", "IT", "ehansen", 10, "IT"),
    Unit("FIN", "Finance", "support", "MERIDIAN", "pfernandez", 3, "Finance"),
    Unit("FIN_CTL", "Controlling", "department", "FIN", "ifischer", 6, "Finance"),
    Unit("FIN_ACC", "Accounting", "department", "FIN", "omartin", 8, "Finance"),
)

# The corporate strategy map ------------------------------------------------------------------

THEMES: tuple[tuple[str, str], ...] = (
    ("Operational excellence", "Lean, safe, reliable operations that fund growth."),
    ("Customer intimacy", "Know our customers and keep them for life through service."),
    ("Digital growth", "Grow connected products and recurring digital revenue."),
)
OPEX, INTIMACY, DIGITAL = (t[0] for t in THEMES)

# fmt: off
OBJECTIVES: tuple[Obj, ...] = (
    # Enterprise: 15 objectives over the four perspectives.
    Obj("MERIDIAN", "F_GROW", "Grow revenue profitably", "F", theme=DIGITAL, weight="2"),
    Obj("MERIDIAN", "F_MARGIN", "Improve operating margin", "F", theme=OPEX, weight="2"),
    Obj("MERIDIAN", "F_RECUR", "Increase recurring revenue", "F", theme=INTIMACY),
    Obj("MERIDIAN", "C_SAT", "Delight our customers", "C", theme=INTIMACY),
    Obj("MERIDIAN", "C_RETAIN", "Keep and grow key accounts", "C", theme=INTIMACY),
    Obj("MERIDIAN", "C_DIGITAL", "Win customers for digital services", "C", theme=DIGITAL),
    Obj("MERIDIAN", "C_DELIVER", "Deliver on time, every time", "C", theme=OPEX),
    Obj("MERIDIAN", "P_LEAN", "Run lean, safe, high-quality operations", "P", theme=OPEX),
    Obj("MERIDIAN", "P_SERVICE", "Excel at field service", "P", theme=INTIMACY),
    Obj("MERIDIAN", "P_INNOV", "Bring digital products to market faster", "P", theme=DIGITAL),
    Obj("MERIDIAN", "P_INSIGHT", "Know our customers' needs", "P", theme=INTIMACY),
    Obj("MERIDIAN", "L_TALENT", "Attract and keep the best people", "L"),
    Obj("MERIDIAN", "L_SKILLS", "Build digital and service skills", "L", theme=DIGITAL),
    Obj("MERIDIAN", "L_DATA", "One reliable data platform", "L", theme=OPEX),
    Obj("MERIDIAN", "L_CULTURE", "Everyone knows and acts on the strategy", "L"),
    # Industrial Equipment and below.
    Obj("IND", "F_REV", "Grow equipment revenue", "F", ("MERIDIAN.F_GROW",)),
    Obj("IND", "F_GM", "Protect gross margin", "F", ("MERIDIAN.F_MARGIN",)),
    Obj("IND", "C_OTD", "Deliver on time", "C", ("MERIDIAN.C_DELIVER",)),
    Obj("IND", "C_KEY", "Grow key accounts", "C", ("MERIDIAN.C_RETAIN",)),
    Obj("IND", "P_LEAN", "Lean production", "P", ("MERIDIAN.P_LEAN",)),
    Obj("IND", "L_SKILL", "A multi-skilled workforce", "L", ("MERIDIAN.L_SKILLS",)),
    Obj("IND_SAL", "F_ORDERS", "Grow order intake", "F", ("IND.F_REV",)),
    Obj("IND_SAL", "C_PIPE", "A healthy key-account pipeline", "C", ("IND.C_KEY",)),
    Obj("IND_SAL", "P_PLAN", "Disciplined account planning", "P", ("MERIDIAN.P_INSIGHT",)),
    Obj("IND_MFG", "F_COST", "Lower conversion cost", "F", ("IND.F_GM",)),
    Obj("IND_MFG", "C_SHIP", "Ship complete and on time", "C", ("IND.C_OTD",)),
    Obj("IND_MFG", "P_OEE", "Raise equipment effectiveness", "P", ("IND.P_LEAN",)),
    Obj("IND_MFG", "P_SAFE", "Zero harm", "P", ("IND.P_LEAN", "MERIDIAN.P_LEAN")),
    Obj("IND_QA", "P_RFT", "Right first time", "P", ("IND_MFG.P_OEE",)),
    Obj("IND_QA", "C_CLAIMS", "Fewer warranty claims", "C", ("MERIDIAN.C_SAT",)),
    # Field Services and below.
    Obj("SVC", "F_RECUR", "Grow service contracts", "F", ("MERIDIAN.F_RECUR",)),
    Obj("SVC", "F_REV", "Grow service revenue", "F", ("MERIDIAN.F_GROW",)),
    Obj("SVC", "C_SAT", "Delighted service customers", "C", ("MERIDIAN.C_SAT",)),
    Obj("SVC", "P_FIX", "Fix it the first time", "P", ("MERIDIAN.P_SERVICE",)),
    Obj("SVC", "L_TECH", "Certified technicians", "L", ("MERIDIAN.L_SKILLS",)),
    Obj("SVC_OPS", "P_FTFR", "Fix first time on site", "P", ("SVC.P_FIX",)),
    Obj("SVC_OPS", "P_RESP", "Respond fast", "P", ("SVC.C_SAT",)),
    Obj("SVC_OPS", "P_SAFE", "Work safely on site", "P", ("MERIDIAN.P_LEAN",)),
    Obj("SVC_CC", "C_REACH", "Easy to reach", "C", ("SVC.C_SAT",)),
    Obj("SVC_CC", "P_RESOLVE", "Resolve at first contact", "P", ("SVC.P_FIX",)),
    Obj("SVC_CC", "F_RENEW", "Renew every contract", "F", ("SVC.F_RECUR",)),
    # Digital Solutions and below.
    Obj("DIG", "F_ARR", "Scale recurring digital revenue", "F",
        ("MERIDIAN.F_GROW", "MERIDIAN.F_RECUR")),
    Obj("DIG", "C_WIN", "Win digital customers", "C", ("MERIDIAN.C_DIGITAL",)),
    Obj("DIG", "P_SHIP", "Ship faster", "P", ("MERIDIAN.P_INNOV",)),
    Obj("DIG", "L_TALENT", "Hire and keep engineers", "L", ("MERIDIAN.L_TALENT",)),
    Obj("DIG_PRD", "P_CYCLE", "Shorten the release cycle", "P", ("DIG.P_SHIP",)),
    Obj("DIG_PRD", "P_RELIABLE", "A reliable platform", "P", ("DIG.C_WIN",)),
    Obj("DIG_PRD", "L_ENG", "Grow engineering capability", "L", ("DIG.L_TALENT",)),
    Obj("DIG_SAL", "C_PIPE", "Build the digital pipeline", "C", ("DIG.C_WIN",)),
    Obj("DIG_SAL", "F_BOOK", "Book recurring revenue", "F", ("DIG.F_ARR",)),
    # Support units: HR, IT and Finance keep scorecards too, linked upward.
    Obj("HR", "F_COST", "Efficient HR services", "F", ("MERIDIAN.F_MARGIN",)),
    Obj("HR", "P_HIRE", "Hire the right people fast", "P", ("MERIDIAN.L_TALENT",)),
    Obj("HR", "P_ALIGN", "Goals and pay linked to strategy", "P", ("MERIDIAN.L_CULTURE",)),
    Obj("HR", "L_SKILLS", "Build strategic skills", "L", ("MERIDIAN.L_SKILLS",)),
    Obj("HR_TAL", "P_FILL", "Fill roles fast", "P", ("HR.P_HIRE",)),
    Obj("HR_TAL", "C_MANAGERS", "Satisfied hiring managers", "C", ("HR.P_HIRE",)),
    Obj("HR_LD", "L_ACADEMY", "Run the Meridian Academy", "L", ("HR.L_SKILLS",)),
    Obj("HR_LD", "P_LEADERS", "Develop our leaders", "P", ("MERIDIAN.L_CULTURE",)),
    Obj("IT", "F_COST", "IT cost under control", "F", ("MERIDIAN.F_MARGIN",)),
    Obj("IT", "C_PARTNER", "A trusted partner to the business", "C", ("MERIDIAN.P_INNOV",)),
    Obj("IT", "P_STABLE", "Stable, secure systems", "P", ("MERIDIAN.P_LEAN",)),
    Obj("IT", "L_DATA", "Deliver the data platform", "L", ("MERIDIAN.L_DATA",)),
    Obj("IT_INF", "P_UPTIME", "Keep systems available", "P", ("IT.P_STABLE",)),
    # Deliberately not linked upward: the alignment report flags it.
    Obj("IT_INF", "P_SEC", "Secure by default", "P"),
    Obj("IT_APP", "L_DATA", "Migrate sources to the data platform", "L",
        ("IT.L_DATA", "MERIDIAN.L_DATA")),
    Obj("IT_APP", "P_DELIVER", "Deliver projects as promised", "P", ("IT.C_PARTNER",)),
    Obj("FIN", "F_CASH", "Strong cash generation", "F", ("MERIDIAN.F_MARGIN",)),
    Obj("FIN", "P_CLOSE", "A fast, reliable close", "P", ("MERIDIAN.P_LEAN",)),
    Obj("FIN", "P_BUDGET", "Budgets linked to strategy", "P", ("MERIDIAN.L_CULTURE",)),
    Obj("FIN", "L_PARTNER", "Finance as a business partner", "L", ("MERIDIAN.L_SKILLS",)),
    Obj("FIN_CTL", "P_FORECAST", "Accurate forecasts", "P", ("FIN.P_BUDGET",)),
    # Deliberately not linked upward either.
    Obj("FIN_CTL", "L_BP", "Analysts who partner with the units", "L"),
    Obj("FIN_ACC", "P_CLOSE", "Close the books in five days", "P", ("FIN.P_CLOSE",)),
    Obj("FIN_ACC", "F_COLLECT", "Collect on time", "F", ("FIN.F_CASH",)),
)
# fmt: on

# Arrows of the strategy maps: learning drives process drives customer drives financial.
# fmt: off
CAUSE_EFFECT: tuple[tuple[str, str, str], ...] = (
    ("MERIDIAN.L_SKILLS", "MERIDIAN.P_SERVICE", "Certified technicians fix more, faster."),
    ("MERIDIAN.L_SKILLS", "MERIDIAN.P_INNOV", "Digital skills shorten development."),
    ("MERIDIAN.L_TALENT", "MERIDIAN.P_INNOV", "Keeping engineers keeps the roadmap moving."),
    ("MERIDIAN.L_DATA", "MERIDIAN.P_INSIGHT", "One customer record makes needs visible."),
    ("MERIDIAN.L_DATA", "MERIDIAN.P_LEAN", "Reliable plant data exposes waste."),
    ("MERIDIAN.L_CULTURE", "MERIDIAN.P_LEAN", "People who know the goals improve the work."),
    ("MERIDIAN.P_LEAN", "MERIDIAN.C_DELIVER", "Stable operations ship on time."),
    ("MERIDIAN.P_SERVICE", "MERIDIAN.C_SAT", "First-time fixes make customers happy."),
    ("MERIDIAN.P_SERVICE", "MERIDIAN.C_RETAIN", "Great service keeps accounts."),
    ("MERIDIAN.P_INSIGHT", "MERIDIAN.C_RETAIN", "Knowing needs lets us grow share of wallet."),
    ("MERIDIAN.P_INNOV", "MERIDIAN.C_DIGITAL", "New digital features win new customers."),
    ("MERIDIAN.C_SAT", "MERIDIAN.F_RECUR", "Satisfied customers renew their contracts."),
    ("MERIDIAN.C_RETAIN", "MERIDIAN.F_GROW", "Key accounts are most of the revenue."),
    ("MERIDIAN.C_DIGITAL", "MERIDIAN.F_GROW", "Digital services are the growth engine."),
    ("MERIDIAN.C_DIGITAL", "MERIDIAN.F_RECUR", "Digital services are subscriptions."),
    ("MERIDIAN.C_DELIVER", "MERIDIAN.F_MARGIN", "Late orders cost penalties and expediting."),
    ("MERIDIAN.P_LEAN", "MERIDIAN.F_MARGIN", "Less waste, lower cost."),
    ("IND.L_SKILL", "IND.P_LEAN", "Multi-skilled crews balance the lines."),
    ("IND.P_LEAN", "IND.C_OTD", "Lean flow cuts lead time."),
    ("IND.C_OTD", "IND.F_REV", "Reliable delivery wins repeat orders."),
    ("IND.C_KEY", "IND.F_REV", "Key accounts drive volume."),
    ("IND.P_LEAN", "IND.F_GM", "Lower conversion cost protects margin."),
    ("SVC.L_TECH", "SVC.P_FIX", "Certified technicians fix first time."),
    ("SVC.P_FIX", "SVC.C_SAT", "Fewer revisits, happier customers."),
    ("SVC.C_SAT", "SVC.F_RECUR", "Happy customers renew."),
    ("DIG.L_TALENT", "DIG.P_SHIP", "Stable teams ship more."),
    ("DIG.P_SHIP", "DIG.C_WIN", "Features customers ask for win deals."),
    ("DIG.C_WIN", "DIG.F_ARR", "Every new customer adds recurring revenue."),
)
# fmt: on

# Measures --------------------------------------------------------------------------------------
# Stories: strong, steady, slipping, recovering, weak, late_dip (see story.STORIES).

PCT = "%"
EURK = "EUR k"

# fmt: off
MEASURES: tuple[Kpi, ...] = (
    # Industrial Equipment.
    Kpi("IND", "F_REV", "REV", "Equipment revenue", EURK, "increase", "monthly", 4000,
        growth=0.05, story="steady", decimals=0, aggregation="sum", seasonal=True, red=0.08),
    Kpi("IND", "F_GM", "COGS", "Cost of goods sold", EURK, "decrease", "monthly", 2900,
        growth=0.04, story="slipping", amp=0.5, decimals=0, aggregation="sum", seasonal=True,
        red=0.05, red_note="Steel and copper prices up; supplier renegotiation under way."),
    Kpi("IND", "C_OTD", "OTD", "On-time delivery", PCT, "increase", "monthly", 91, growth=0.02,
        story="recovering", amp=0.6, cap=98, ceiling=100, red=0.05, owner="owner",
        aggregation="average", follows=("IND.OEE", 2, 0.8)),
    # Lean flow cuts lead time: on-time delivery follows equipment effectiveness two months
    # later, in the group, in Industrial Equipment and in its plants (the test-and-adapt
    # evidence for the arrows P_LEAN -> C_DELIVER and IND.P_LEAN -> IND.C_OTD).
    Kpi("IND", "P_LEAN", "OEE", "Overall equipment effectiveness (both plants)", PCT,
        "increase", "monthly", 69, growth=0.04, story="steady", ceiling=100,
        aggregation="average", red=0.07),
    Kpi("IND", "C_KEY", "WALLET", "Share of wallet with top-20 accounts", PCT, "increase",
        "quarterly", 31, growth=0.06, story="strong", cap=60, ceiling=100, red=None),
    Kpi("IND", "L_SKILL", "MULTI", "Operators qualified on 3+ stations", PCT, "increase",
        "quarterly", 40, growth=0.15, story="weak", cap=90, ceiling=100),
    Kpi("IND_SAL", "F_ORDERS", "ORDERS", "Order intake", EURK, "increase", "monthly", 4200,
        growth=0.05, story="steady", sigma=0.06, decimals=0, aggregation="sum", seasonal=True),
    Kpi("IND_SAL", "C_PIPE", "WINRATE", "Win rate on qualified bids", PCT, "increase", "monthly",
        32, growth=0.03, story="late_dip", sigma=0.04, ceiling=100, aggregation="average",
        red_note="Two large tenders lost on price to low-cost competitors."),
    Kpi("IND_SAL", "P_PLAN", "ACCPLAN", "Key accounts with a current account plan", PCT,
        "increase", "quarterly", 60, growth=0.2, story="strong", cap=100, ceiling=100,
        decimals=0),
    Kpi("IND_MFG", "P_OEE", "OEE", "Overall equipment effectiveness", PCT, "increase",
        "monthly", 68, growth=0.04, story="recovering", owner="owner", ceiling=100,
        aggregation="average", red=0.07),
    Kpi("IND_MFG", "C_SHIP", "OTD", "Orders shipped complete and on time", PCT, "increase",
        "monthly", 90, growth=0.01, story="steady", sigma=0.01, ceiling=100,
        aggregation="average", red=0.05, follows=("IND_MFG.OEE", 2, 0.8)),
    Kpi("IND_MFG", "F_COST", "SCRAP", "Scrap rate", PCT, "decrease", "monthly", 3.2,
        growth=-0.1, story="strong", decimals=2, owner="owner", sigma=0.05,
        aggregation="average", red=None, tolerance="0.20"),
    Kpi("IND_MFG", "P_SAFE", "LTI", "Lost-time incidents", "incidents", "decrease", "monthly",
        2, growth=-0.25, story="steady", sigma=0.35, decimals=0, aggregation="sum", red=0.5),
    Kpi("IND_MFG", "F_COST", "ENERGY", "Energy per unit produced", "kWh/unit", "decrease",
        "monthly", 41, growth=-0.04, story="steady", owner="owner", aggregation="average",
        overdue=True),
    Kpi("IND_MFG", "C_SHIP", "CONVCOST", "Conversion cost per unit", "EUR", "decrease",
        "quarterly", 180, growth=-0.03, story="slipping", amp=0.7, decimals=0,
        aggregation="average", red=0.06),
    Kpi("IND_QA", "P_RFT", "FPY", "First-pass yield", PCT, "increase", "monthly", 94,
        growth=0.01, story="strong", amp=0.3, sigma=0.006, cap=99, ceiling=100, owner="owner",
        aggregation="average", red=0.03),
    Kpi("IND_QA", "C_CLAIMS", "CLAIMS", "Warranty claims per 1,000 units", "claims",
        "decrease", "monthly", 8, growth=-0.1, story="weak", sigma=0.06, aggregation="average"),
    # Field Services.
    Kpi("SVC", "F_REV", "REV", "Service revenue", EURK, "increase", "monthly", 2200,
        growth=0.08, story="strong", decimals=0, aggregation="sum", seasonal=True, red=0.08),
    Kpi("SVC", "F_RECUR", "RECREV", "Contract (recurring) revenue", EURK, "increase",
        "monthly", 1300, growth=0.1, story="steady", sigma=0.015, decimals=0,
        aggregation="sum", red=0.05),
    Kpi("SVC", "C_SAT", "CSAT", "Customer satisfaction (service)", PCT, "increase", "monthly",
        84, growth=0.01, story="recovering", amp=0.6, sigma=0.01, ceiling=100,
        aggregation="average", red=0.06, follows=("SVC.FTFR", 1, 1.0)),
    # First-time fixes make customers happy: satisfaction follows a month later.
    Kpi("SVC", "P_FIX", "FTFR", "First-time fix rate (all regions)", PCT, "increase",
        "monthly", 79, growth=0.01, story="steady", sigma=0.03, ceiling=100,
        aggregation="average"),
    Kpi("SVC", "L_TECH", "CERT", "Technicians certified on new product lines", PCT,
        "increase", "quarterly", 55, growth=0.18, story="strong", cap=100, ceiling=100,
        decimals=0),
    Kpi("SVC_OPS", "P_FTFR", "FTFR", "First-time fix rate", PCT, "increase", "monthly", 78,
        growth=0.03, story="slipping", ceiling=100, aggregation="average",
        red_note="Spare-part availability on the new product line is the main cause."),
    Kpi("SVC_OPS", "P_RESP", "RESP", "Mean time to respond", "hours", "decrease", "monthly", 6,
        growth=-0.08, story="recovering", sigma=0.04, aggregation="average"),
    Kpi("SVC_OPS", "P_SAFE", "LTI", "Lost-time incidents", "incidents", "decrease", "monthly",
        1, growth=0.0, story="steady", sigma=0.4, decimals=0, aggregation="sum", red=1.0),
    Kpi("SVC_OPS", "P_FTFR", "UTIL", "Technician utilisation", PCT, "increase", "monthly", 72,
        growth=0.02, story="steady", ceiling=100, aggregation="average", red=None),
    Kpi("SVC_CC", "C_REACH", "ABAND", "Call abandonment rate", PCT, "decrease", "monthly", 7,
        growth=-0.1, story="weak", sigma=0.05, aggregation="average", red=0.2),
    Kpi("SVC_CC", "P_RESOLVE", "FCR", "First-contact resolution", PCT, "increase", "monthly",
        70, growth=0.03, story="steady", ceiling=100, aggregation="average", red=None),
    Kpi("SVC_CC", "F_RENEW", "RENEW", "Contract renewal rate", PCT, "increase", "quarterly",
        88, growth=0.01, story="strong", amp=0.4, cap=97, ceiling=100, red=0.04),
    # Digital Solutions.
    Kpi("DIG", "F_ARR", "REV", "Digital revenue", EURK, "increase", "monthly", 700,
        growth=0.25, story="weak", decimals=0, aggregation="sum", red=0.12),
    Kpi("DIG", "F_ARR", "ARR", "Annual recurring revenue", EURK, "increase", "quarterly", 7000,
        growth=0.3, story="slipping", amp=0.8, decimals=0, red=0.1,
        red_note="Enterprise deals slipping into next year; partner channel not live yet."),
    Kpi("DIG", "C_WIN", "NEWCUST", "New digital customers", "customers", "increase",
        "quarterly", 12, growth=0.2, story="recovering", sigma=0.1, decimals=0,
        aggregation="sum"),
    Kpi("DIG_PRD", "P_CYCLE", "LEAD", "Lead time from idea to release", "days", "decrease",
        "monthly", 95, growth=-0.05, story="strong", sigma=0.05, decimals=0,
        aggregation="average"),
    # Shipping faster cost reliability: availability falls a month after lead time does, so
    # the data contradict DIG.P_SHIP -> DIG.C_WIN (and P_INNOV -> C_DIGITAL above it).
    Kpi("DIG_PRD", "P_RELIABLE", "UPTIME", "Platform availability", PCT, "increase",
        "monthly", 99.5, story="steady", amp=0.01, sigma=0.0008, decimals=2, cap=99.95,
        ceiling=100, red=None, tolerance="0.004", aggregation="average",
        follows=("DIG_PRD.LEAD", 1, -0.025)),
    Kpi("DIG_PRD", "L_ENG", "ENGATTR", "Engineer attrition (rolling 12 months)", PCT,
        "decrease", "quarterly", 14, growth=-0.1, story="slipping", red=0.15),
    Kpi("DIG_SAL", "C_PIPE", "PIPE", "Qualified pipeline", EURK, "increase", "monthly", 5000,
        growth=0.3, story="recovering", sigma=0.05, decimals=0),
    Kpi("DIG_SAL", "F_BOOK", "BOOK", "New ARR booked", EURK, "increase", "monthly", 180,
        growth=0.25, story="weak", sigma=0.15, decimals=0, aggregation="sum", red=0.2),
    # Human Resources.
    Kpi("HR", "P_HIRE", "ATTR", "Voluntary attrition (rolling 12 months)", PCT, "decrease",
        "monthly", 11, growth=-0.08, story="recovering", amp=0.7, aggregation="last"),
    Kpi("HR", "P_ALIGN", "GOALLINK", "Employees with a goal linked to strategy", PCT,
        "increase", "quarterly", 35, growth=0.4, story="strong", amp=0.3, cap=85, ceiling=100,
        decimals=0),
    Kpi("HR", "F_COST", "HRCOST", "HR cost per employee", EURK, "decrease", "annual", 2.4,
        growth=-0.03, story="steady", decimals=2),
    Kpi("HR_TAL", "P_FILL", "TTH", "Time to hire", "days", "decrease", "monthly", 52,
        growth=-0.1, story="late_dip", sigma=0.05, decimals=0, aggregation="average",
        red_note="Engineering roles: the market is tight; agency shortlist agreed."),
    Kpi("HR_TAL", "C_MANAGERS", "HMSAT", "Hiring manager satisfaction", PCT, "increase",
        "quarterly", 75, growth=0.03, story="steady", ceiling=100, decimals=0, red=None),
    Kpi("HR_LD", "L_ACADEMY", "TRAIN", "Training hours per employee", "hours", "increase",
        "quarterly", 8, growth=0.1, story="recovering", sigma=0.05, aggregation="sum"),
    Kpi("HR_LD", "L_ACADEMY", "DIGCERT", "Employees with a digital certification", PCT,
        "increase", "annual", 12, growth=0.6, story="strong", cap=80, ceiling=100, decimals=0),
    # Information Technology.
    Kpi("IT", "F_COST", "ITCOST", "IT cost as a share of revenue", PCT, "decrease",
        "quarterly", 3.4, growth=-0.03, story="steady", decimals=2, red=0.08),
    Kpi("IT", "L_DATA", "DATAUSE", "Management reports served from the data platform", PCT,
        "increase", "quarterly", 10, growth=1.0, story="recovering", cap=90, ceiling=100,
        decimals=0, red=0.2),
    Kpi("IT", "C_PARTNER", "USAT", "IT user satisfaction", PCT, "increase", "quarterly", 70,
        growth=0.03, story="weak", ceiling=100, decimals=0),
    Kpi("IT_INF", "P_UPTIME", "AVAIL", "Core system availability", PCT, "increase", "monthly",
        99.6, growth=0.001, story="steady", amp=0.01, sigma=0.001, decimals=2, cap=99.95,
        ceiling=100, red=0.003, aggregation="average"),
    Kpi("IT_INF", "P_UPTIME", "INCID", "Major incidents", "incidents", "decrease", "monthly",
        3, growth=-0.15, story="strong", sigma=0.3, decimals=0, aggregation="sum", red=0.67),
    Kpi("IT_INF", "P_SEC", "PATCH", "Critical patches applied within 14 days", PCT, "increase",
        "monthly", 80, growth=0.08, story="slipping", cap=99, ceiling=100, decimals=0,
        aggregation="average"),
    Kpi("IT_APP", "P_DELIVER", "ONTIME", "Projects delivered on time", PCT, "increase",
        "quarterly", 65, growth=0.05, story="recovering", ceiling=100, decimals=0),
    Kpi("IT_APP", "L_DATA", "DATASRC", "Source systems on the data platform", "systems",
        "increase", "quarterly", 4, growth=0.8, story="strong", sigma=0.05, cap=30,
        decimals=0, red=0.25),
    # Finance.
    Kpi("FIN", "F_CASH", "DSO", "Days sales outstanding", "days", "decrease", "monthly", 58,
        growth=-0.05, story="weak", amp=0.8, decimals=0, aggregation="average", red=0.08),
    Kpi("FIN", "F_CASH", "FCF", "Free cash flow", EURK, "increase", "quarterly", 2500,
        growth=0.08, story="recovering", sigma=0.06, decimals=0, aggregation="sum",
        red=0.15),
    Kpi("FIN", "P_BUDGET", "BUDLINK", "Budget linked to strategy", PCT, "increase", "annual",
        40, growth=0.35, story="strong", cap=90, ceiling=100, decimals=0),
    Kpi("FIN_CTL", "P_FORECAST", "FCSTERR", "Forecast error", PCT, "decrease", "monthly", 6,
        growth=-0.1, story="steady", sigma=0.08, aggregation="average", red=0.25),
    Kpi("FIN_ACC", "P_CLOSE", "CLOSE", "Working days to close the books", "days", "decrease",
        "monthly", 8, growth=-0.12, story="strong", sigma=0.05, decimals=0,
        aggregation="average", red=0.25),
    Kpi("FIN_ACC", "F_COLLECT", "OVERDUE", "Receivables overdue", PCT, "decrease", "monthly", 12,
        growth=-0.05, story="weak", aggregation="last"),
    # Enterprise: entered measures.
    Kpi("MERIDIAN", "F_MARGIN", "EBITM", "EBIT margin", PCT, "increase", "quarterly", 9.5,
        growth=0.05, story="slipping", amp=0.6, decimals=1, red=0.1, owner="pfernandez"),
    Kpi("MERIDIAN", "P_LEAN", "OEE", "Group equipment effectiveness", PCT, "increase",
        "monthly", 70, growth=0.03, story="steady", ceiling=100, aggregation="average",
        red=0.07, owner="osm"),
    Kpi("MERIDIAN", "C_DELIVER", "OTD", "Group on-time delivery", PCT, "increase", "monthly",
        90, growth=0.01, story="steady", sigma=0.01, ceiling=100, aggregation="average",
        red=0.05, owner="osm", follows=("MERIDIAN.OEE", 2, 0.8)),
    # New with the data platform's plant migration: 8 months of history, too little to
    # test L_DATA -> P_LEAN yet.
    Kpi("MERIDIAN", "L_DATA", "PLANTDATA", "Machines streaming data to the data platform",
        PCT, "increase", "monthly", 30, growth=0.4, story="strong", sigma=0.03, ceiling=100,
        decimals=0, aggregation="last", owner="ajohansson", since=8),
    Kpi("MERIDIAN", "C_SAT", "NPS", "Net Promoter Score", "points", "increase", "quarterly",
        32, growth=0.1, story="recovering", sigma=0.05, decimals=0, red=0.15, owner="osm"),
    Kpi("MERIDIAN", "L_CULTURE", "ENGAGE", "Employee engagement index", PCT, "increase",
        "annual", 68, growth=0.03, story="steady", ceiling=100, decimals=0, owner="mbell"),
    Kpi("MERIDIAN", "L_CULTURE", "STRATAWARE", "Employees who can name our strategic priorities",
        PCT, "increase", "annual", 25, growth=0.5, story="strong", amp=0.4, cap=90,
        ceiling=100, decimals=0, owner="osm"),
    # Calculated measures: targets and red flags only, actuals computed from the inputs.
    Kpi("IND", "F_GM", "GM", "Gross margin", PCT, "increase", "monthly", 27.5, growth=0.03,
        red=0.1, aggregation="average", formula="(REV - COGS) / REV * 100",
        description="Calculated from equipment revenue and cost of goods sold."),
    Kpi("MERIDIAN", "F_RECUR", "RECSHARE", "Recurring revenue share", PCT, "increase",
        "monthly", 28, growth=0.05, red=0.08, aggregation="average", owner="pfernandez",
        formula="(SVC.RECREV + DIG.REV) / (IND.REV + SVC.REV + DIG.REV) * 100",
        description="Service contracts and digital subscriptions over group revenue."),
    # Rollups: the group's revenue and safety from the units that report them.
    Kpi("MERIDIAN", "F_GROW", "REV", "Group revenue", EURK, "increase", "monthly", 0,
        red=0.05, decimals=0, aggregation="sum", owner="pfernandez", rollup="sum",
        sources=("IND.REV", "SVC.REV", "DIG.REV")),
    Kpi("MERIDIAN", "P_LEAN", "LTI", "Lost-time incidents (group)", "incidents", "decrease",
        "monthly", 0, red=None, decimals=0, aggregation="sum", owner="osm", rollup="sum",
        sources=("IND_MFG.LTI", "SVC_OPS.LTI")),
)
# fmt: on

# Initiatives -------------------------------------------------------------------------------------
# Month offsets from the first month of the window (36 months end with last month).

# fmt: off
INITIATIVES: tuple[Plan, ...] = (
    Plan("MERIDIAN", "OSM_LAUNCH", "Launch the Office of Strategy Management", "osm", "done",
         -2, 10, 100, ("MERIDIAN.L_CULTURE",),
         (("Charter approved by the executive team", -1, True),
          ("Corporate strategy map and scorecard published", 3, True),
          ("Scorecards cascaded to business and support units", 8, True),
          ("First quarterly strategy review held", 10, True)),
         budget=150_000),
    Plan("MERIDIAN", "HQ_MOVE", "Consolidate head-office sites", "pfernandez", "active",
         20, 40, 55, (),
         (("Lease signed", 21, True), ("Fit-out complete", 33, False),
          ("Move completed", 39, False)),
         budget=900_000, capex=True,
         description="Not strategic: a facilities project, kept here for visibility."),
    Plan("IND", "LEAN_MFG", "Lean manufacturing programme", "unithead", "active", 4, 40, 70,
         ("IND.P_LEAN", "IND.F_GM"),
         (("Value-stream maps of both plants", 7, True), ("Kanban on line 1", 14, True),
          ("Kanban on lines 2-4", 26, True), ("SMED on presses", 32, False),
          ("Lean audit score 4 of 5", 40, False)),
         budget=420_000),
    Plan("IND_MFG", "PREDMAINT", "Predictive maintenance on critical assets", "gricci",
         "active", 16, 38, 60, ("IND_MFG.P_OEE",),
         (("Sensors on 40 critical assets", 20, True), ("Failure models in production", 29, True),
          ("Maintenance plans driven by the models", 34, False)),
         budget=310_000),
    Plan("SVC", "FIELDAPP", "Mobile field-service app", "rkumar", "active", 8, 37, 75,
         ("SVC.P_FIX", "SVC_OPS.P_FTFR"),
         (("Pilot with 20 technicians", 12, True), ("Roll-out to all regions", 22, True),
          ("Spare-part lookup and remote expert", 34, False)),
         budget=380_000),
    Plan("SVC_CC", "CXPROG", "Customer-experience programme", "jdubois", "on_hold", 18, 42, 30,
         ("SVC.C_SAT", "SVC_CC.C_REACH"),
         (("Customer-journey workshops", 21, True), ("New IVR and call-back", 30, False)),
         budget=160_000),
    Plan("DIG", "PLATFORM2", "Next-generation connected-products platform", "lchen", "active",
         6, 44, 65, ("DIG.P_SHIP", "DIG.C_WIN", "MERIDIAN.C_DIGITAL"),
         (("Architecture approved", 8, True), ("Beta with five customers", 20, True),
          ("General availability", 30, True), ("Marketplace for partner apps", 38, False)),
         budget=950_000),
    Plan("DIG_SAL", "PARTNERS", "Partner channel for digital services", "sberg", "approved",
         37, 48, 0, ("DIG_SAL.F_BOOK",),
         (("Partner programme signed off", 38, False), ("First ten partners certified", 44,
                                                         False)),
         budget=200_000),
    Plan("HR", "ACADEMY", "Meridian Academy: digital and service skills", "mbell", "active",
         3, 39, 80, ("HR.L_SKILLS", "MERIDIAN.L_SKILLS"),
         (("Curriculum designed", 6, True), ("Learning platform live", 10, True),
          ("1,000 certifications", 30, True), ("Leadership track", 37, False)),
         budget=260_000),
    Plan("HR_TAL", "EMPBRAND", "Employer-branding campaign", "cgarcia", "done", 2, 14, 100,
         ("HR.P_HIRE",),
         (("Careers site relaunched", 6, True), ("Campus programme", 12, True)),
         budget=90_000),
    Plan("IT", "DATAPLAT", "One data platform", "ajohansson", "active", 5, 41, 60,
         ("IT.L_DATA", "MERIDIAN.L_DATA"),
         (("Platform chosen", 7, True), ("Finance and sales data migrated", 18, True),
          ("Plant data migrated", 30, False), ("Legacy warehouse switched off", 41, False)),
         budget=700_000),
    Plan("IT", "CRM", "Group-wide CRM roll-out", "ehansen", "cancelled", 4, 20, 35,
         ("MERIDIAN.P_INSIGHT",),
         (("Vendor selected", 6, True), ("Sales pilot", 12, True)),
         budget=240_000,
         description="Cancelled: customer data now comes through the data platform."),
    Plan("IT_INF", "CLOUD", "Move the data centre to the cloud", "bzielinski", "active", 12,
         45, 45, (),
         (("Landing zone", 15, True), ("First 100 servers migrated", 27, True),
          ("Data centre closed", 45, False)),
         budget=520_000,
         description="Not yet linked to an objective: the alignment report flags it."),
    Plan("FIN", "ZBB", "Zero-based budgeting", "pfernandez", "proposed", 39, 50, 0, (),
         (("Business case", 39, False),)),
)
# fmt: on

# Budget templates: (unit, category, label, planned per year in EUR, linked objective or None).
# Staff costs are computed from headcount; STRATEX lines come from the initiatives.
# fmt: off
BUDGET_LINES: tuple[tuple[str, str, str, int, str | None], ...] = (
    ("MERIDIAN", "opex", "Corporate functions", 1_400_000, None),
    ("MERIDIAN", "opex", "Strategy office and reviews", 240_000, "MERIDIAN.L_CULTURE"),
    ("IND", "opex", "Trade fairs and marketing", 380_000, "IND.C_KEY"),
    ("IND_SAL", "opex", "Travel and customer visits", 260_000, None),
    ("IND_MFG", "opex", "Energy and utilities", 1_900_000, None),
    ("IND_MFG", "opex", "Maintenance materials", 850_000, "IND_MFG.P_OEE"),
    ("IND_MFG", "capex", "Press line replacement", 2_400_000, "IND_MFG.P_OEE"),
    ("IND_QA", "capex", "Coordinate measuring machine", 310_000, "IND_QA.P_RFT"),
    ("SVC_OPS", "opex", "Vehicle fleet", 720_000, None),
    ("SVC_OPS", "capex", "Service vans", 540_000, None),
    ("SVC_CC", "opex", "Contact-centre telephony", 180_000, "SVC_CC.C_REACH"),
    ("DIG_PRD", "opex", "Cloud hosting", 640_000, "DIG_PRD.P_RELIABLE"),
    ("DIG_PRD", "capex", "Device test lab", 280_000, "DIG_PRD.P_CYCLE"),
    ("DIG_SAL", "opex", "Digital marketing", 300_000, "DIG_SAL.C_PIPE"),
    ("HR", "opex", "Payroll and HR systems", 210_000, None),
    ("HR_TAL", "opex", "Recruiting agencies", 330_000, "HR_TAL.P_FILL"),
    ("HR_LD", "opex", "Training catalogue", 420_000, "HR_LD.L_ACADEMY"),
    ("IT", "opex", "Software licences", 1_150_000, None),
    ("IT_INF", "capex", "Network refresh", 460_000, None),
    ("IT_APP", "opex", "Application support contracts", 520_000, "IT_APP.P_DELIVER"),
    ("FIN", "opex", "Audit and advisory fees", 350_000, None),
    ("FIN_ACC", "opex", "Banking and payment fees", 90_000, "FIN_ACC.F_COLLECT"),
)
# fmt: on
STAFF_COST_PER_HEAD = 78_000  # EUR a year, loaded

# Employees -------------------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = (
    "Aaron", "Abigail", "Adrian", "Aisha", "Alejandro", "Alice", "Amir", "Ana", "Andreas",
    "Beatriz", "Ben", "Bianca", "Carlos", "Chloe", "Chris", "Clara", "Dario", "David",
    "Elena", "Elif", "Emil", "Eva", "Fatima", "Felix", "Finn", "Grace", "Hamza", "Hugo",
    "Ines", "Isaac", "Jakob", "James", "Jana", "Jonas", "Julia", "Kai", "Karin", "Lars",
    "Laura", "Leila", "Leon", "Lina", "Lucas", "Maja", "Marek", "Maria", "Mateo", "Mia",
    "Nadia", "Nikolai", "Nora", "Omar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Ruth",
    "Samuel", "Sanna", "Simon", "Sofia", "Tariq", "Tessa", "Tobias", "Valentina", "Victor",
    "Yara", "Yusuf", "Zoe",
)
# fmt: on
# fmt: off
LAST_NAMES = (
    "Abbott", "Achterberg", "Adeyemi", "Almeida", "Andersen", "Bakker", "Barros", "Becker",
    "Bianchi", "Brennan", "Carter", "Castillo", "Costa", "Dahl", "Demir", "Duarte", "Ekström",
    "Evans", "Ferreira", "Fleming", "Fontaine", "Gallo", "Graham", "Haas", "Hartmann", "Hoekstra",
    "Horvath", "Ibrahim", "Iversen", "Jansen", "Kaya", "Keller", "Kovacs", "Kowalski", "Lambert",
    "Larsen", "Lehmann", "Lopez", "Lund", "Marino", "Meyer", "Mendes", "Moretti", "Murphy",
    "Nielsen", "Nyberg", "O'Brien", "Olsen", "Ortega", "Park", "Peeters", "Petrov", "Quinn",
    "Rossi", "Russo", "Santos", "Schmidt", "Schneider", "Silva", "Sorensen", "Stewart",
    "Svoboda", "Takahashi", "Thomsen", "Torres", "Varga", "Vogel", "Wagner", "Weber", "Wright",
    "Yilmaz", "Zimmermann",
)
# fmt: on
INACTIVE_EMPLOYEES = 6  # people who have left: kept for history, excluded from alignment

# Titles of goals and incentive components.
UNLINKED_GOALS = (
    "Deliver the agreed project work on time",
    "Support the team during the peak season",
    "Keep documentation up to date",
    "Onboard and mentor a new colleague",
    "Improve a team process of your choice",
)
DEVELOPMENT_GOALS = (
    "Complete a Meridian Academy certification",
    "Attend a leadership foundations course",
    "Learn the data platform's self-service reports",
    "Shadow a colleague in another unit for a week",
    "Improve presentation skills",
)

# Review meetings: who attends the executive meetings (usernames).
EXECUTIVE_TEAM = (
    "executive",
    "osm",
    "unithead",
    "rkumar",
    "lchen",
    "mbell",
    "ajohansson",
    "pfernandez",
)
ACTION_TITLES = (
    "Present a recovery plan for {code}",
    "Root-cause analysis of {code} misses",
    "Propose a funded initiative for {code}",
    "Review the targets of {code} with the unit",
    "Report {code} progress at the next review",
)

# The strategy calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A stored step of the strategy calendar, placed in each fiscal year the demo plans:
    `month` counts from the fiscal year's first month (0), `day` is the day in that month
    (moved to the Monday when it falls on a weekend); `days` its length. The title may name
    `{year}` (the fiscal year it falls in) and `{next}` (the year after)."""

    unit: str
    kind: str
    title: str
    month: int
    day: int
    days: int = 1
    notes: str = ""


# The OSM's integrated cycle: people's goals at the start of the year, the strategy refresh
# in the first quarter, then next year's targets and money in the autumn, STRATEX first.
# fmt: off
CALENDAR: tuple[Step, ...] = (
    Step("MERIDIAN", "goal_setting", "Goal setting for FY{year}", 0, 12, 19,
         "Managers agree each employee's goals and incentives, linked to the unit's scorecard."),
    Step("MERIDIAN", "other", "OSM analysis pack for the strategy refresh", 1, 2, 12,
         "Results against the map, the test-and-adapt findings and a market scan: the pre-read."),
    Step("MERIDIAN", "strategy_refresh", "Strategy refresh: executive offsite", 2, 10, 3,
         "The executive team updates the strategy map and its themes; the OSM facilitates."),
    Step("HR", "other", "Mid-year development conversations", 6, 1, 31,
         "Every employee's development plan reviewed against the Learning & Growth objectives."),
    Step("MERIDIAN", "target_setting", "Corporate targets for FY{next}", 8, 1, 19,
         "Measures and targets of the corporate scorecard for next year; initiatives proposed."),
    Step("MERIDIAN", "target_setting", "Units cascade their FY{next} targets", 8, 22, 26,
         "Business and support units set their targets and link them to the corporate ones."),
    Step("SVC", "target_setting", "Field Services target workshop", 8, 29, 1,
         "Service Operations and Customer Care agree their FY{next} targets with the unit head."),
    Step("MERIDIAN", "stratex_deadline", "STRATEX requests for FY{next} initiatives due", 9, 3, 1,
         "Strategic expenditure is asked per initiative, before the operating budgets."),
    Step("IND", "budget_deadline", "Industrial Equipment budget to Group Finance", 9, 24, 1,
         "A week before the group deadline: IND consolidates its departments' budgets first."),
    Step("MERIDIAN", "budget_deadline", "OPEX and CAPEX budgets for FY{next} due", 9, 31, 1,
         "Every line linked to an objective or an initiative where it serves one."),
    Step("MERIDIAN", "budget_deadline", "Board approves the FY{next} budget", 11, 4, 1),
)
# fmt: on

# Lists the builder reads, kept here so the story lives in one file.
__all__ = [
    "BUDGET_LINES",
    "CALENDAR",
    "CAUSE_EFFECT",
    "DEMO_PASSWORD",
    "DEMO_ROOT_CODE",
    "INITIATIVES",
    "LOGINS",
    "MEASURES",
    "OBJECTIVES",
    "PEOPLE",
    "PERSPECTIVES",
    "THEMES",
    "UNITS",
]
