"""The communication part of `seed_scale` (issue 17): at a real company's scale, two closed
awareness pulses of the whole company (the latest answered by every employee with a login,
20,000 answers at the defaults; the one before by a quarter of them), an announcement per
unit with read marks, and practices with endorsements, in bulk. Written as `seed_scale`
writes everything (valid by construction, `bulk_create`), and callable on its own on a
data set seeded before it existed (the bench calls it when no pulse is there)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from communication.models import (
    Announcement,
    AnnouncementRead,
    Endorsement,
    Practice,
    Pulse,
    PulseAnswer,
    PulseRespondent,
)
from people.models import Employee
from scorecards.models import Measure, Objective, OrgUnit

BATCH = 5000
PRACTICES_PER_UNIT = 5
# Words the practices are written with, so that a search finds some and ranks them.
PRACTICE_TOPICS = (
    (
        "Weekly huddle on customer complaints",
        "Every Monday the team reviews last week's customer complaints and picks one root "
        "cause to remove; complaints fell by a third in two quarters.",
    ),
    (
        "Visual board for delivery delays",
        "A board by the door shows each late delivery and its reason; the supplier meeting "
        "starts from it.",
    ),
    (
        "Peer coaching for new sales staff",
        "Each new salesperson shadows a senior colleague for four weeks; conversion of new "
        "staff reached the team's average a month earlier.",
    ),
    (
        "Energy walk before the weekend",
        "On Friday afternoon a walk switches off idle machines and lighting; energy cost per "
        "unit dropped 6%.",
    ),
    (
        "Monthly scorecard review in ten minutes",
        "The team reads its scorecard together each month, red measures first, and writes one "
        "action per red measure.",
    ),
)


def _chains(units: dict[int, int | None]) -> dict[int, list[int]]:
    """Each unit's chain: itself and every unit above it (ids)."""
    chains = {}
    for unit_id in units:
        chain, node = [], unit_id
        while node is not None:
            chain.append(node)
            node = units[node]
        chains[unit_id] = chain
    return chains


def seed_communication(rng: random.Random, step) -> None:
    """Write the pulses, announcements and practices (`step(label, n)` reports counts)."""
    with transaction.atomic():
        units = dict(OrgUnit.objects.values_list("id", "parent_id"))
        root = next(pk for pk, parent in units.items() if parent is None)
        staff = list(
            Employee.objects.filter(active=True, user__isnull=False)
            .order_by("id")
            .values_list("user_id", "unit_id")
        )
        _pulses(rng, step, units, root, staff)
        _announcements(rng, step, units, staff)
        _practices(rng, step, units, staff)


def _pulses(rng, step, units, root, staff) -> None:
    today = timezone.localdate()
    chains = _chains(units)
    objectives_of: dict[int, list[int]] = {}
    for pk, unit_id in Objective.objects.values_list("id", "unit_id"):
        objectives_of.setdefault(unit_id, []).append(pk)
    everything = [pk for own in objectives_of.values() for pk in own]
    pulses = [
        Pulse.objects.create(
            unit_id=root, title=title, opens_on=today - dt.timedelta(days=start),
            closes_on=today - dt.timedelta(days=start - 14),
        )
        for title, start in (("Strategy pulse, last year", 380), ("Strategy pulse", 60))
    ]  # fmt: skip
    answers, respondents = [], []
    for pulse, share, aware_share in ((pulses[0], 0.25, 0.2), (pulses[1], 1.0, 0.45)):
        for user_id, unit_id in staff:
            if rng.random() >= share:
                continue
            chain = [pk for u in chains[unit_id] for pk in objectives_of.get(u, [])]
            draw = rng.random()
            if draw < aware_share and chain:
                objective, aware = rng.choice(chain), True
            elif draw < 0.9:
                objective, aware = rng.choice(everything), False
                aware = objective in chain
            else:
                objective, aware = None, False  # "I don't know"
            respondents.append(PulseRespondent(pulse=pulse, user_id=user_id))
            answers.append(
                PulseAnswer(id=uuid.UUID(int=rng.getrandbits(128), version=4), pulse=pulse,
                            unit_id=unit_id, objective_id=objective, aware=aware,
                            understanding=rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]))
            )  # fmt: skip
    rng.shuffle(answers)  # stored in no order a respondent list could be matched against
    PulseRespondent.objects.bulk_create(respondents, batch_size=BATCH)
    PulseAnswer.objects.bulk_create(answers, batch_size=BATCH)
    step("pulse answers", len(answers))


def _announcements(rng, step, units, staff) -> None:
    heads = dict(OrgUnit.objects.filter(head__isnull=False).values_list("id", "head_id"))
    now = timezone.now()
    made = Announcement.objects.bulk_create(
        [
            Announcement(
                unit_id=unit_id, author_id=heads.get(unit_id), title=f"News from the team {n}",
                body="The quarter's priorities: customer complaints, delivery delays and the "
                     "energy cost per unit. Read the scorecard review for details.",
                published_at=now - dt.timedelta(days=n % 90),
            )
            for n, unit_id in enumerate(sorted(units))
        ],
        batch_size=BATCH,
    )  # fmt: skip
    root_news = made[0]
    readers = [user_id for user_id, _ in staff if rng.random() < 0.3]
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=root_news, user_id=u) for u in readers], batch_size=BATCH
    )
    step("announcements", len(made))


def _practices(rng, step, units, staff) -> None:
    authors: dict[int, list[int]] = {}
    for user_id, unit_id in staff:
        authors.setdefault(unit_id, []).append(user_id)
    practices = []
    for unit_id in sorted(units):
        for n in range(PRACTICES_PER_UNIT):
            title, body = PRACTICE_TOPICS[(unit_id + n) % len(PRACTICE_TOPICS)]
            people = authors.get(unit_id) or [None]
            practices.append(Practice(unit_id=unit_id, title=title, body=body,
                                      author_id=rng.choice(people)))  # fmt: skip
    made = Practice.objects.bulk_create(practices, batch_size=BATCH)
    measure_of = dict(Measure.objects.filter(code="M01").values_list("unit_id", "id"))
    through = Practice.measures.through
    through.objects.bulk_create(
        [through(practice_id=p.pk, measure_id=measure_of[p.unit_id])
         for p in made if p.unit_id in measure_of],
        batch_size=BATCH,
    )  # fmt: skip
    users = [user_id for user_id, _ in staff]
    endorsements = []
    for practice in made:
        for user_id in set(rng.sample(users, min(len(users), rng.randint(0, 6)))):
            if user_id != practice.author_id:
                endorsements.append(Endorsement(practice=practice, user_id=user_id))
    Endorsement.objects.bulk_create(endorsements, batch_size=BATCH)
    step("practices", len(made))
    step("endorsements", len(endorsements))


def ensure_communication() -> None:
    """Seed the communication part on a data set seeded before it existed (no pulse yet)."""
    if not Pulse.objects.exists():
        seed_communication(random.Random(2026), lambda label, n: None)
