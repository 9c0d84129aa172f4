"""The demo's strategy communication (issue 17): a sign-in for every employee (the
company's single sign-on: no usable password here), announcements from the OSM and from
Industrial Equipment's head with some already read, three awareness pulses of the whole
company (last year's and last quarter's closed, awareness rising; this month's open, which
the demo's employee has yet to answer), and practices written by unit heads on measures
several units share, endorsed by colleagues: a step of `DemoBuilder` (builder.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from communication.models import Pulse
from communication.selectors.pulses import pulse_question
from communication.services import announcements, practices, pulses
from core.roles import EMPLOYEE
from people.models import Employee

from . import company as c
from . import story

# (title, Markdown, unit, objectives) of the announcements, oldest first.
ANNOUNCEMENTS = (
    ("Strategy {year}: what changes",
     "The board approved this year's strategy map. **Three changes** matter to everyone:\n\n"
     "- recurring revenue now counts as much as equipment revenue;\n"
     "- *Deliver on time, every time* is measured group-wide;\n"
     "- everyone should know which objective his or her work serves.\n\n"
     "Your unit's map and the objectives it supports are on *My strategy*.",
     "MERIDIAN", ("MERIDIAN.F_RECUR", "MERIDIAN.C_DELIVER", "MERIDIAN.L_CULTURE")),
    ("Lean week in Manufacturing",
     "From Monday the plants run a lean week: short daily huddles at the line, one waste "
     "removed per team. Results will be shared in the monthly review.",
     "IND", ("IND.P_LEAN",)),
    ("Awareness pulse open until {closes}",
     "Two questions, one minute, anonymous: which objective does your work serve most, and "
     "how well do you understand our strategy? Answer from *Pulses* in the menu.",
     "MERIDIAN", ("MERIDIAN.L_CULTURE",)),
)  # fmt: skip

# Practices: (measure code, unit, author, title, Markdown). Each code is measured by
# several units, so a unit off target on it is shown the others' practices.
PRACTICES = (
    ("OTD", "IND_MFG", "gricci", "Daily shipping huddle",
     "Every morning at 8:30 the shipping lead, planning and the line leads spend ten "
     "minutes on today's orders at risk. Each late order gets an owner and a new date "
     "before 9:00; the customer hears it from us first."),
    ("OTD", "IND", "unithead", "Promise dates from capacity, not from hope",
     "Sales quotes delivery dates from the capacity plan the plants publish each Friday. "
     "Fewer promises broken, fewer expedites."),
    ("LTI", "SVC_OPS", "nokoye", "Two-minute risk check before each job",
     "Field technicians run a two-minute check before starting: energy isolated, access "
     "safe, tools fit. A check that fails stops the job, no questions asked."),
    ("LTI", "IND_MFG", "gricci", "Near-miss reporting in the shift handover",
     "Each shift handover names one near miss. Reports tripled in a quarter; incidents "
     "halved."),
    ("FTFR", "SVC_OPS", "nokoye", "Parts kitted before the visit",
     "The dispatcher kits the likely parts from the fault code the day before, so the "
     "technician arrives with them. First-time fixes rose by 6 points."),
    ("REV", "DIG", "lchen", "Quarterly business review with every top account",
     "A one-page review with each top-20 account every quarter: usage, value delivered, "
     "what is next. Renewals are discussed early, upsell follows."),
    ("OEE", "IND_MFG", "gricci", "Changeover in half the time (SMED)",
     "Changeovers were filmed, external steps moved before the stop, tools standardised. "
     "Changeover time fell from 48 to 22 minutes."),
)  # fmt: skip


CHECKLIST = """# Daily shipping huddle: checklist

1. Orders due today and tomorrow: complete, on the dock?
2. Orders at risk: owner, new date, customer told by 9:00.
3. Yesterday's misses: one cause each, one fix this week.
"""


class CommunicationSteps:
    """Sign-ins for everyone, announcements, pulses and practices (mixed into DemoBuilder)."""

    def create_communication(self) -> None:
        self._sign_ins_for_everyone()
        self._announcements()
        self._pulses()
        self._practices()

    def _sign_ins_for_everyone(self) -> None:
        """Every active employee signs in (through the company's sign-on: no password
        here), so every one of them can be asked and told."""
        User = get_user_model()
        employee_group = Group.objects.get(name=EMPLOYEE)
        unusable = make_password(None)
        taken = set(User.objects.values_list("username", flat=True))
        for employee in Employee.objects.filter(user__isnull=True, active=True).order_by("id"):
            first, _, last = employee.name.partition(" ")
            username, n = employee.email.split("@")[0], 1
            while username in taken:  # a login of that name exists already: never reuse it
                n += 1
                username = f"{employee.email.split('@')[0]}{n}"
            taken.add(username)
            user = User.objects.create(
                username=username, email=employee.email, password=unusable,
                first_name=first, last_name=last,
            )  # fmt: skip
            user.groups.add(employee_group)
            employee.user = user
            employee.save(update_fields=["user"])

    def _announcements(self) -> None:
        today, year = self.window.today, self.window.today.year
        closes = today + dt.timedelta(days=10)
        rng = story.rng_for("announcements")
        readers = list(
            Employee.objects.filter(user__isnull=False, active=True).select_related("user")
        )
        for n, (title, body, unit, objectives) in enumerate(ANNOUNCEMENTS):
            author = self.osm if unit == c.DEMO_ROOT_CODE else self.head_of(unit)
            made = announcements.announcement_publish(
                actor=author,
                data={"unit": self.units[unit],
                      "title": title.format(year=year, closes=f"{closes:%d %B}"),
                      "body": body, "objectives": [self.objectives[o] for o in objectives]},
            )  # fmt: skip
            type(made).objects.filter(pk=made.pk).update(
                published_at=self.now - dt.timedelta(days=[40, 12, 2][n])
            )
            share = [0.7, 0.5, 0.2][n]  # older news has been read by more people
            for employee in readers:
                if rng.random() < share and employee.user != author:
                    announcements.announcement_read(actor=employee.user, announcement=made)

    def _pulses(self) -> None:
        """Last year's pulse (a quarter of the people aware), last quarter's (close to half)
        and this month's, open; the demo's employee has not answered it."""
        today, root = self.window.today, self.units[c.DEMO_ROOT_CODE]
        people = list(
            Employee.objects.filter(user__isnull=False, active=True)
            .select_related("user").order_by("id")
        )  # fmt: skip
        for title, opens, days, share, aware in (
            ("Strategy awareness, last year", 380, 14, 0.7, 0.25),
            ("Strategy awareness, last quarter", 95, 14, 0.8, 0.48),
            ("Strategy awareness, this month", 4, 14, 0.3, 0.55),
        ):
            pulse = Pulse.objects.create(
                unit=root, title=title, opens_on=today - dt.timedelta(days=opens),
                closes_on=today - dt.timedelta(days=opens - days), created_by=self.osm,
            )  # fmt: skip
            rng = story.rng_for("pulse", title)
            for employee in people:
                if employee.user.username == "employee" or rng.random() >= share:
                    continue
                question = pulse_question(pulse, employee.user, employee.unit_id)
                own = [ch for ch in question.choices if ch.objective in question.chain]
                elsewhere = [ch for ch in question.choices if ch.objective not in question.chain]
                draw = rng.random()
                if draw < aware and own:
                    objective = rng.choice(own).objective
                elif draw < 0.88 and elsewhere:
                    objective = rng.choice(elsewhere).objective
                else:
                    objective = None  # "I don't know"
                understanding = min(5, max(1, round(rng.gauss(2.4 + 2 * aware, 0.9))))
                pulses.pulse_answer(actor=employee.user, pulse=pulse, objective=objective,
                                    understanding=understanding, today=pulse.opens_on)  # fmt: skip

    def _practices(self) -> None:
        """The practices, endorsed by a few colleagues each; the first with its checklist
        attached (a document kept through the storage, as an upload is)."""
        rng = story.rng_for("practices")
        people = [e.user for e in Employee.objects.filter(user__isnull=False, active=True)
                  .select_related("user").order_by("id")]  # fmt: skip
        for code, unit, author, title, body in PRACTICES:
            measure = self.measures[f"{unit}.{code}"]
            practice = practices.practice_create(
                actor=self.users[author],
                data={"unit": self.units[unit], "title": title, "body": body,
                      "measures": [measure], "objectives": [measure.objective]},
            )  # fmt: skip
            for user in rng.sample(people, rng.randint(1, 9)):
                if user != practice.author:
                    practices.practice_endorse(actor=user, practice=practice)
            if title == PRACTICES[0][3]:
                checklist = SimpleUploadedFile("huddle-checklist.md", CHECKLIST.encode())
                practices.attachment_add(actor=practice.author, practice=practice, file=checklist)
