"""The demo's people: employees of every unit (the named ones with logins, then as many
more as each unit's headcount), their goals and incentive components for the previous and
the current fiscal year: a step of `DemoBuilder` (builder.py)."""

from dataclasses import dataclass
from decimal import Decimal

from people import services as people_services
from people.models import Employee

from . import company as c
from . import story


@dataclass(frozen=True)
class Reach:
    """What a goal of someone in a unit may link to: objectives and measures of the unit
    (or, where it has none, of the units above it), all of its chain's, and its chain's
    learning-and-growth objectives."""

    own_objectives: list
    own_measures: list
    all_measures: list
    learning: list


class PeopleSteps:
    """Employees, goals and incentives (mixed into DemoBuilder)."""

    def create_people(self) -> None:
        """Named people first (heads top-down, so managers exist), then everyone else;
        then goals and incentives for the previous and the current fiscal year."""
        hr = self.users["hr"]
        by_username = {p.username: p for p in c.PEOPLE}
        heads = {}  # unit code -> head's Employee
        for unit in c.UNITS:
            person = by_username[unit.head]
            parent_head = heads.get(unit.parent) if unit.parent else None
            employee = self.add_employee(person, unit, manager=parent_head, by=hr)
            heads[unit.code] = employee
        for person in c.PEOPLE:
            if person.unit and person.username not in self.employees:
                unit = self.unit_specs[person.unit]
                self.add_employee(person, unit, manager=heads[unit.code], by=hr)

        rng = story.rng_for("people")
        named_per_unit: dict[str, int] = {}
        for person in c.PEOPLE:
            if person.unit:
                named_per_unit[person.unit] = named_per_unit.get(person.unit, 0) + 1
        used_emails = {e.email for e in self.employees.values()}
        generic = []
        for unit in c.UNITS:
            for _ in range(unit.headcount - named_per_unit.get(unit.code, 0)):
                first, last = rng.choice(c.FIRST_NAMES), rng.choice(c.LAST_NAMES)
                email, n = self.email_of(first, last), 1
                while email in used_emails:
                    n += 1
                    email = self.email_of(first, last, str(n))
                used_emails.add(email)
                generic.append((unit, f"{first} {last}", email))
        leavers = set(rng.sample(range(len(generic)), c.INACTIVE_EMPLOYEES))
        everyone = list(self.employees.values())
        for index, (unit, name, email) in enumerate(generic):
            everyone.append(
                people_services.employee_create(
                    actor=hr,
                    data={
                        "name": name,
                        "email": email,
                        "unit": self.units[unit.code],
                        "manager": heads[unit.code],
                        "job_family": unit.job_family,
                        "active": index not in leavers,
                    },
                )
            )
        self.create_goals(everyone, heads)

    def add_employee(self, person: c.Person, unit: c.Unit, *, manager, by) -> Employee:
        user = self.users[person.username]
        employee = people_services.employee_create(
            actor=by,
            data={
                "user": user,
                "name": person.full_name,
                "email": self.email_of(person.first_name, person.last_name),
                "unit": self.units[unit.code],
                "manager": manager,
                "job_family": unit.job_family,
            },
        )
        self.employees[person.username] = employee
        return employee

    def strategy_above(self, unit_code: str):
        """Objectives and measures of the unit and of every unit above it, own unit first
        (what a goal of someone in the unit may link to)."""
        chain, code = [], unit_code
        while code:
            chain.append(code)
            code = self.unit_specs[code].parent
        objectives = [
            [o for key, o in self.objectives.items() if key.split(".")[0] == u] for u in chain
        ]
        measures = [
            [m for key, m in self.measures.items() if key.split(".")[0] == u] for u in chain
        ]
        return objectives, measures

    def reach_of(self, employee: Employee) -> Reach:
        objectives, measures = self.strategy_above(employee.unit.code)
        all_objectives = [o for level in objectives for o in level]
        all_measures = [m for level in measures for m in level]
        return Reach(
            own_objectives=objectives[0] or all_objectives,
            own_measures=measures[0] or all_measures,
            all_measures=all_measures,
            learning=[o for o in all_objectives if o.perspective.name == "Learning & Growth"],
        )

    def create_goals(self, everyone: list[Employee], heads: dict[str, Employee]) -> None:
        """Goals (performance and development) and incentive components, linked to the
        strategy more often this year than last: the OSM's alignment work shows."""
        rng = story.rng_for("goals")
        previous, current = self.fiscal_years()
        head_ids = {e.pk for e in heads.values()}
        showcase = self.employees["employee"].pk
        for employee in everyone:
            if not employee.active:
                continue
            reach = self.reach_of(employee)
            for year in (previous, current):
                # Per goal; with two or three goals each, about a third of the people had a
                # linked goal last year and about three quarters have one this year.
                link_chance = 0.2 if year == previous else 0.55
                if employee.pk == showcase:
                    link_chance = 1.0
                self.give_goals(
                    rng, employee, year, reach, link_chance,
                    closed=year == previous, showcase=employee.pk == showcase,
                )  # fmt: skip
                # Variable pay: managers, sales people and about half of the others.
                if (
                    employee.pk in head_ids
                    or employee.job_family == "Sales"
                    or employee.pk == showcase
                    or rng.random() < 0.45
                ):
                    self.give_incentives(rng, employee, year, reach, link_chance)

    def give_goals(self, rng, employee, year, reach: Reach, link_chance, *, closed, showcase):
        """Two or three goals of `employee` for `year`: one or two performance goals, each
        linked to the strategy with `link_chance`, and a development goal."""
        hr, elapsed = self.users["hr"], self.window.fiscal_elapsed()

        def progress() -> int:
            """Last year's goals are scored; this year's are under way."""
            if closed:
                return rng.randint(55, 100)
            return max(0, min(100, round(elapsed * 100 + rng.randint(-20, 15))))

        def goal(kind, title, weight, link):
            people_services.goal_create(
                actor=hr,
                data={
                    "employee": employee,
                    "fiscal_year": year,
                    "kind": kind,
                    "title": title,
                    "weight": weight,
                    "progress": progress(),
                    **link,
                },
            )

        two_goals = rng.random() < 0.6 or showcase
        if rng.random() < link_chance:
            objective = rng.choice(reach.own_objectives)
            title, link = f"Deliver my part of “{objective.name}”", {"objective": objective}
        else:
            title, link = rng.choice(c.UNLINKED_GOALS), {}
        goal("performance", title, Decimal("0.4") if two_goals else Decimal("0.7"), link)
        if two_goals:
            if reach.all_measures and rng.random() < link_chance:
                measure = rng.choice(reach.own_measures)
                title = f"Hit the target for {measure.name.lower()}"
                link = {"measure": measure, "objective": measure.objective}
            else:
                title, link = rng.choice(c.UNLINKED_GOALS), {}
            goal("performance", title, Decimal("0.3"), link)
        development = rng.choice(c.DEVELOPMENT_GOALS)
        link = {}
        if reach.learning and rng.random() < link_chance * 0.4:
            link = {"objective": rng.choice(reach.learning)}
        goal("development", development, Decimal("0.3"), link)

    def give_incentives(self, rng, employee, year, reach: Reach, link_chance) -> None:
        """Three incentive components: the group's result (often on the EBIT margin), the
        unit's (on one of its measures with `link_chance`) and individual performance."""
        hr = self.users["hr"]

        def component(name, weight, link):
            people_services.incentive_create(
                actor=hr,
                data={
                    "employee": employee,
                    "fiscal_year": year,
                    "name": name,
                    "weight": weight,
                    **link,
                },
            )

        group_chance = min(1.0, link_chance * 1.5)
        group_margin = self.measures["MERIDIAN.EBITM"]
        group_link = {"measure": group_margin} if rng.random() < group_chance else {}
        component("Group result (EBIT margin)", Decimal("0.3"), group_link)
        if reach.own_measures and rng.random() < link_chance:
            measure = rng.choice(reach.own_measures)
            unit_link = {"measure": measure, "objective": measure.objective}
            name = f"Unit scorecard: {measure.name.lower()}"
        else:
            unit_link, name = {}, "Unit results"
        component(name, Decimal("0.4"), unit_link)
        component("Individual performance", Decimal("0.3"), {})
