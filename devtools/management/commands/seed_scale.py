"""`manage.py seed_scale`: a large synthetic company, in bulk, for benchmarks.

Same shape as the demo: an enterprise, business and support units, departments and teams;
every unit has objectives in the four perspectives cascaded to its parent's, measures with
monthly values (actual, target, red flag) and their change history, cause-and-effect links,
initiatives, budget lines, employees with goals and incentive components, and awareness
pulses, announcements and practices (devtools/scale_communication.py). Deterministic
(seeded). Rows are built valid by construction and inserted with `bulk_create`, which skips
`full_clean`; the tests check a small run against the model rules.
"""

import datetime as dt
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from budgets.models import BudgetLine
from core.clock import fiscal_year_of
from core.versioning import data_changed
from devtools.scale_communication import seed_communication
from initiatives.models import Initiative, InitiativeObjective, Milestone
from people.models import Employee, Goal, IncentiveComponent
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
)
from scorecards.periods import add_months, period_end

BATCH = 5000
KINDS_BY_DEPTH = ["enterprise", "business", "department", "team"]


class Command(BaseCommand):
    help = "Generate a large synthetic company in bulk (into an empty database) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=200)
        parser.add_argument("--objectives", type=int, default=20, help="per unit")
        parser.add_argument("--measures", type=int, default=40, help="per unit")
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--employees", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        for name in ("units", "objectives", "measures", "months"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["units"] > 100_000 or options["months"] > 240:
            raise CommandError("At most 100,000 units and 240 months.")
        if options["measures"] < options["objectives"]:
            raise CommandError("--measures must be at least --objectives (one per objective).")
        if options["employees"] < 0:
            raise CommandError("--employees must not be negative.")
        if OrgUnit.objects.exists():
            raise CommandError(
                "seed_scale fills an empty database only; this one already has units. "
                "Point DATABASE_URL at a fresh database."
            )
        started = time.perf_counter()
        with transaction.atomic():
            counts = Generator(options, self.stdout).run()
            data_changed()  # bulk inserts send no signal
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would gather them in a while: without them
            # PostgreSQL guesses one row for every filter, and the bench would time plans no
            # running server would choose. (ANALYZE, not VACUUM: it may run in a transaction.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"seed_scale: {summary} in {elapsed:.1f} s"))


class Generator:
    """Builds the synthetic company level by level with bulk inserts."""

    def __init__(self, options, stdout):
        self.o = options
        self.rng = random.Random(options["seed"])
        self.stdout = stdout
        self.fiscal_start = settings.FISCAL_YEAR_START_MONTH
        today = timezone.localdate()
        self.last_month = add_months(today.replace(day=1), -1)
        self.first_month = add_months(self.last_month, -(options["months"] - 1))
        self.counts = {}

    def step(self, label, n):
        self.counts[label] = n
        self.stdout.write(f"  {label}: {n:,}")

    def run(self):
        units = self.units()
        objectives = self.objectives(units)
        measures = self.measures(objectives)
        self.values(measures)
        self.initiatives_and_budgets(units, objectives)
        self.people(units, objectives)
        seed_communication(self.rng, self.step)
        return self.counts

    # The tree: a root, then about a twentieth business/support units, a fifth departments,
    # the rest teams, each level spread over the one above.
    def units(self):
        n = self.o["units"]
        sizes = [1]
        if n > 1:
            business = max(1, round(n * 0.05))
            departments = max(0, min(n - 1 - business, round(n * 0.2)))
            teams = n - 1 - business - departments
            sizes += [s for s in (business, departments, teams) if s > 0]
        created, parents = [], []
        number = 0
        for depth, size in enumerate(sizes):
            level = []
            for i in range(size):
                number += 1
                kind = KINDS_BY_DEPTH[depth]
                if depth == 1 and i % 4 == 3:
                    kind = "support"
                unit = OrgUnit(
                    code=f"U{number:05d}",
                    name=f"{kind.capitalize()} {number}",
                    kind=kind,
                    parent=parents[i % len(parents)] if parents else None,
                )
                unit.save()  # one insert per unit: the children need the parent's id
                level.append(unit)
            created += level
            parents = level
        self.step("units", len(created))
        return created

    def objectives(self, units):
        perspectives = list(Perspective.objects.order_by("order"))
        per_unit = self.o["objectives"]
        rows = []
        for unit in units:
            for i in range(per_unit):
                perspective = perspectives[i * len(perspectives) // per_unit]
                rows.append(
                    Objective(
                        unit=unit,
                        code=f"O{i + 1:02d}",
                        name=f"{perspective.name} objective {i + 1} of {unit.code}",
                        perspective=perspective,
                        weight=Decimal(self.rng.choice([1, 1, 1, 2])),
                    )
                )
        Objective.objects.bulk_create(rows, batch_size=BATCH)
        by_unit = {}
        for objective in Objective.objects.values("id", "unit_id", "perspective_id", "code"):
            by_unit.setdefault(objective["unit_id"], []).append(objective)
        # The cascade: each objective supports its parent unit's objective in the same slot.
        links, arrows = [], []
        for unit in units:
            own = sorted(by_unit[unit.pk], key=lambda o: o["code"])
            if unit.parent_id:
                parent_own = sorted(by_unit[unit.parent_id], key=lambda o: o["code"])
                for mine, theirs in zip(own, parent_own, strict=True):
                    links.append(CascadeLink(supporting_id=mine["id"], supported_id=theirs["id"]))
            # Arrows up the perspectives: learning -> process -> customer -> financial.
            for lower, upper in zip(own[1:], own[:-1], strict=True):
                if lower["perspective_id"] != upper["perspective_id"]:
                    arrows.append(CauseEffect(cause_id=lower["id"], effect_id=upper["id"]))
        CascadeLink.objects.bulk_create(links, batch_size=BATCH)
        CauseEffect.objects.bulk_create(arrows, batch_size=BATCH)
        self.step("objectives", sum(len(v) for v in by_unit.values()))
        self.step("cascade links", len(links))
        self.by_unit = by_unit
        return by_unit

    def measures(self, objectives):
        per_unit = self.o["measures"]
        rows = []
        for unit_id, own in objectives.items():
            own = sorted(own, key=lambda o: o["code"])
            for i in range(per_unit):
                objective = own[i % len(own)]
                rows.append(
                    Measure(
                        objective_id=objective["id"],
                        unit_id=unit_id,
                        code=f"M{i + 1:02d}",
                        name=f"Measure {i + 1}",
                        polarity="increase" if i % 3 else "decrease",
                        frequency="monthly",
                        aggregation=self.rng.choice(["sum", "average", "last"]),
                        weight=Decimal(1),
                        tolerance=Decimal("0.10"),
                    )
                )
        Measure.objects.bulk_create(rows, batch_size=BATCH)
        measures = list(Measure.objects.values_list("id", "polarity"))
        self.step("measures", len(measures))
        return measures

    def values(self, measures):
        months = [add_months(self.first_month, k) for k in range(self.o["months"])]
        history_model = MeasureValue.history.model
        now = timezone.now()
        total = 0
        rows, history = [], []
        for measure_id, polarity in measures:
            base = Decimal(self.rng.randint(50, 500))
            drift = self.rng.uniform(-0.01, 0.02)
            for k, month in enumerate(months):
                target = (base * Decimal(1 + 0.01 * k)).quantize(Decimal("0.01"))
                noise = self.rng.gauss(drift * k, 0.06)
                factor = Decimal(1 + noise) if polarity == "increase" else Decimal(1 - noise)
                actual = (target * factor).quantize(Decimal("0.01"))
                gap = (target * Decimal("0.1")).quantize(Decimal("0.01"))
                red_flag = target - gap if polarity == "increase" else target + gap
                # the latest month is sometimes not reported yet
                if k == len(months) - 1 and self.rng.random() < 0.1:
                    actual = None
                rows.append(
                    MeasureValue(
                        measure_id=measure_id,
                        period=month,
                        actual=actual,
                        target=target,
                        red_flag=red_flag,
                    )
                )
                entered = dt.datetime.combine(
                    period_end(month, "monthly") + dt.timedelta(days=self.rng.randint(1, 14)),
                    dt.time(9),
                    tzinfo=dt.UTC,
                )
                history.append(
                    history_model(
                        measure_id=measure_id,
                        period=month,
                        actual=actual,
                        target=target,
                        red_flag=red_flag,
                        note="",
                        created_at=min(entered, now),
                        updated_at=min(entered, now),
                        history_date=min(entered, now),
                        history_type="+",
                    )
                )
                if len(rows) >= BATCH:
                    total += self._flush(rows, history)
        total += self._flush(rows, history)
        self.step("measure values", total)

    def _flush(self, rows, history):
        MeasureValue.objects.bulk_create(rows, batch_size=BATCH)
        # History rows point at the values' ids, known after the insert only on PostgreSQL,
        # so look them up by (measure, period).
        if connection.features.can_return_rows_from_bulk_insert:
            for value, record in zip(rows, history, strict=True):
                record.id = value.pk
        else:
            keys = {(r.measure_id, r.period) for r in rows}
            ids = {
                (m, p): pk
                for pk, m, p in MeasureValue.objects.filter(
                    measure_id__in={k[0] for k in keys}, period__in={k[1] for k in keys}
                ).values_list("id", "measure_id", "period")
            }
            for record in history:
                record.id = ids[(record.measure_id, record.period)]
        MeasureValue.history.model.objects.bulk_create(history, batch_size=BATCH)
        n = len(rows)
        rows.clear()
        history.clear()
        return n

    def initiatives_and_budgets(self, units, objectives):
        year = fiscal_year_of(self.last_month, self.fiscal_start)
        initiatives, lines = [], []
        for unit in units:
            if unit.kind == "team":
                continue
            for i in range(2):
                initiatives.append(
                    Initiative(
                        unit=unit,
                        code=f"I{i + 1}",
                        name=f"Initiative {i + 1} of {unit.code}",
                        start=add_months(self.last_month, -12),
                        end=add_months(self.last_month, 12),
                        status=self.rng.choice(["approved", "active", "active", "cancelled"]),
                        percent_complete=self.rng.randint(0, 100),
                    )
                )
        Initiative.objects.bulk_create(initiatives, batch_size=BATCH)
        saved = list(Initiative.objects.values_list("id", "unit_id"))
        links, milestones = [], []
        for initiative_id, unit_id in saved:
            if self.rng.random() < 0.8:
                objective = self.rng.choice(objectives[unit_id])
                links.append(
                    InitiativeObjective(initiative_id=initiative_id, objective_id=objective["id"])
                )
            for m in range(3):
                due = add_months(self.last_month, -6 + 6 * m)
                milestones.append(
                    Milestone(
                        initiative_id=initiative_id,
                        name=f"Milestone {m + 1}",
                        due=due,
                        done_on=due if due < self.last_month else None,
                    )
                )
        InitiativeObjective.objects.bulk_create(links, batch_size=BATCH)
        Milestone.objects.bulk_create(milestones, batch_size=BATCH)
        by_unit_initiatives = {}
        for initiative_id, unit_id in saved:
            by_unit_initiatives.setdefault(unit_id, []).append(initiative_id)
        for unit in units:
            for fiscal_year in (year - 1, year):
                for category in ("opex", "capex", "stratex"):
                    initiative_id = None
                    objective_id = None
                    if category == "stratex":
                        if unit.pk not in by_unit_initiatives:
                            continue
                        initiative_id = self.rng.choice(by_unit_initiatives[unit.pk])
                    elif self.rng.random() < 0.5:
                        objective_id = self.rng.choice(objectives[unit.pk])["id"]
                    lines.append(
                        BudgetLine(
                            unit=unit,
                            fiscal_year=fiscal_year,
                            category=category,
                            label=f"{category.upper()} {fiscal_year}",
                            planned=Decimal(self.rng.randint(10, 900) * 1000),
                            actual=Decimal(self.rng.randint(0, 800) * 1000),
                            objective_id=objective_id,
                            initiative_id=initiative_id,
                        )
                    )
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        self.step("initiatives", len(saved))
        self.step("budget lines", len(lines))

    def people(self, units, objectives):
        n = self.o["employees"]
        if not n:
            return
        year = fiscal_year_of(self.last_month, self.fiscal_start)
        employees = [
            Employee(
                name=f"Employee {i + 1}",
                email=f"employee{i + 1}@scale.example.org",
                unit=units[i % len(units)],
                job_family=self.rng.choice(["Sales", "Operations", "Finance", "IT", "HR"]),
                active=self.rng.random() > 0.03,
            )
            for i in range(n)
        ]
        Employee.objects.bulk_create(employees, batch_size=BATCH)
        goals, incentives = [], []
        for employee_id, unit_id in Employee.objects.values_list("id", "unit_id"):
            own = objectives[unit_id]
            for kind in ("performance", "development"):
                linked = self.rng.random() < 0.7
                goals.append(
                    Goal(
                        employee_id=employee_id,
                        fiscal_year=year,
                        kind=kind,
                        title=f"{kind.capitalize()} goal",
                        weight=Decimal(1),
                        objective_id=self.rng.choice(own)["id"] if linked else None,
                        progress=self.rng.randint(0, 100),
                    )
                )
            incentives.append(
                IncentiveComponent(
                    employee_id=employee_id,
                    fiscal_year=year,
                    name="Annual bonus",
                    weight=Decimal(1),
                    objective_id=self.rng.choice(own)["id"] if self.rng.random() < 0.5 else None,
                )
            )
        Goal.objects.bulk_create(goals, batch_size=BATCH)
        IncentiveComponent.objects.bulk_create(incentives, batch_size=BATCH)
        self.step("employees", n)
        self.step("goals", len(goals))
        self.logins_owners_heads(units)

    def logins_owners_heads(self, units):
        """A login for every employee (no usable password: these are for reminders, not
        for logging in), each measure owned by an employee of its unit and each unit
        headed by one: the reminder jobs then have the scale of a real company."""
        User = get_user_model()
        rows = list(Employee.objects.order_by("id").values_list("id", "email", "unit_id"))
        password = make_password(None)
        User.objects.bulk_create(
            [
                User(username=email.split("@")[0], email=email, password=password)
                for _, email, _ in rows
            ],
            batch_size=BATCH,
        )
        user_of = dict(User.objects.filter(email__endswith="@scale.example.org").values_list(
            "email", "id"
        ))  # fmt: skip
        employees = [Employee(id=pk, user_id=user_of[email]) for pk, email, _ in rows]
        Employee.objects.bulk_update(employees, ["user"], batch_size=BATCH)
        staff = defaultdict(list)
        for _, email, unit_id in rows:
            staff[unit_id].append(user_of[email])
        measures = list(Measure.objects.order_by("id").only("id", "unit_id"))
        turn = defaultdict(int)
        for measure in measures:
            people = staff.get(measure.unit_id)
            if people:
                measure.owner_id = people[turn[measure.unit_id] % len(people)]
                turn[measure.unit_id] += 1
        Measure.objects.bulk_update(measures, ["owner"], batch_size=BATCH)
        heads = []
        for unit in units:
            if staff.get(unit.pk):
                unit.head_id = staff[unit.pk][-1]  # not an owner where a unit has few people
                heads.append(unit)
        OrgUnit.objects.bulk_update(heads, ["head"], batch_size=BATCH)
        self.step("logins", len(rows))
        self.step("measure owners", len({m.owner_id for m in measures if m.owner_id}))
