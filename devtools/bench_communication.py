"""The bench cases of issue 17 (`manage.py bench`, scale data set): publishing a version of
the enterprise's map (target: under 2 s), comparing two versions of it (under 500 ms, as
the API answers it), the results of a pulse over 20,000 answers (under 1 s) and a search
(under 100 ms on PostgreSQL). Each prepares what it needs once and keeps it, as the inbox
case does; a publication made by a timed run is deleted afterwards."""

from __future__ import annotations

import itertools

BENCH_VERSIONS = ("bench: before", "bench: after")


def bench_user():
    """The bench's OSM staff member (a superuser), as the page cases use."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def _changed(content: dict) -> dict:
    """The content a year of strategy work makes of `content`: every third objective
    renamed, every fifth re-weighted, every seventh moved to another perspective, a tenth of
    the measures removed and a tenth of the rest with new targets, an arrow dropped."""
    import copy

    newer = copy.deepcopy(content)
    perspectives = newer["perspectives"] or [None]
    for i, objective in enumerate(newer["objectives"]):
        if i % 3 == 0:
            objective["name"] = f"{objective['name']} (renewed)"
        if i % 5 == 0:
            objective["weight"] = "2"
        if i % 7 == 0:
            objective["perspective"] = perspectives[(i + 1) % len(perspectives)]
    newer["measures"] = [m for i, m in enumerate(newer["measures"]) if i % 10 != 9]
    for i, measure in enumerate(newer["measures"]):
        if i % 10 == 0:
            measure["targets"] = dict.fromkeys(measure["targets"], "1")
    newer["links"] = newer["links"][1:]
    return newer


def version_cases(root) -> list[tuple]:
    """Publishing a version of the enterprise's map (each run a new one, deleted after), and
    comparing two versions of it a year of changes apart through the API."""
    from django.test import Client

    from scorecards.models import StrategyVersion
    from scorecards.services.versions import strategy_version_publish

    user = bench_user()
    versions = []
    for name in BENCH_VERSIONS:
        version = StrategyVersion.objects.filter(unit=root, name=name).first()
        if version is None:
            version = strategy_version_publish(actor=user, data={"unit": root, "name": name})
        versions.append(version)
    before, after = versions
    if after.content == before.content:
        after.content = _changed(before.content)
        after.save(update_fields=["content"])
    counter = itertools.count(1)
    made = []

    def publish():
        name = f"bench: publication {next(counter)}"
        made.append(strategy_version_publish(actor=user, data={"unit": root, "name": name}).pk)

    def cleanup():
        StrategyVersion.objects.filter(pk__in=made).delete()

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    path = f"/api/v1/strategy-versions/compare/?a={before.pk}&b={after.pk}"

    def compare():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}.")

    size = len(before.content["objectives"]), len(before.content["measures"])
    return [
        (f"publish a version of the enterprise map ({size[0]} objectives, {size[1]} measures)",
         publish, {"repeat": 5, "cleanup": cleanup}),
        ("compare two versions of the enterprise map (API)", compare),
    ]  # fmt: skip


def api_get(client, path: str):
    """A GET through the API, in-process; a refusal stops the bench."""

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(
                f"{path} answered {response.status_code}: {response.content[:300]!r}"
            )

    return get


SEARCHES = ("customer complaints", "delivery", "financial objective")


BIG_PULSE = 24_000


def _big_pulse(model):
    """A closed pulse of the whole company with 24,000 answers (more than the data set's
    people: each unit answers in proportion to its staff, some twice over), made once: the
    results' arithmetic at more than 20,000 answers."""
    import random
    import uuid

    from communication.models import Pulse, PulseAnswer
    from people.models import Employee

    title = f"bench: {BIG_PULSE:,} answers"
    pulse = Pulse.objects.filter(title=title).first()
    if pulse is not None:
        return pulse
    pulse = Pulse.objects.create(unit=model.unit, title=title, opens_on=model.opens_on,
                                 closes_on=model.closes_on)  # fmt: skip
    units = list(Employee.objects.filter(active=True).values_list("unit_id", flat=True))
    rng = random.Random(17)
    PulseAnswer.objects.bulk_create(
        (PulseAnswer(id=uuid.UUID(int=rng.getrandbits(128), version=4), pulse=pulse,
                     unit_id=units[n % len(units)], aware=rng.random() < 0.4,
                     understanding=rng.randint(1, 5))
         for n in range(BIG_PULSE)),
        batch_size=5000,
    )  # fmt: skip
    return pulse


def pulse_and_search_cases() -> list[tuple]:
    """The results of the latest company-wide pulse (20,000 answers at the defaults) and a
    few searches, through the API as a client reads them (seeded first where the data set
    predates them)."""
    from django.test import Client

    from communication.models import Pulse
    from devtools.scale_communication import ensure_communication

    ensure_communication()
    pulse = Pulse.objects.filter(unit__parent__isnull=True).order_by("-opens_on").first()
    answers = pulse.answers.count()
    big = _big_pulse(pulse)
    client = Client(SERVER_NAME="localhost")
    client.force_login(bench_user())
    return [
        (f"pulse results ({answers:,} answers, every unit)",
         api_get(client, f"/api/v1/pulses/{pulse.pk}/results/")),
        (f"pulse results ({big.answers.count():,} answers, every unit)",
         api_get(client, f"/api/v1/pulses/{big.pk}/results/")),
        *((f"search '{q}' (API)", api_get(client, f"/api/v1/search/?q={q.replace(' ', '+')}"))
          for q in SEARCHES),
    ]  # fmt: skip


def communication_cases(root) -> list[tuple]:
    """Every case of issue 17."""
    return [*version_cases(root), *pulse_and_search_cases()]
