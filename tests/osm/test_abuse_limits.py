"""Abuse cases (issue 9, point 8): sizes meant to break the server.

- A formula of 10,000 characters, or nested 5,000 levels deep, is refused quickly, by a
  length or depth check before it is parsed, through the service, the web form and the API.
- A unit tree 1,000 deep (a cascade and a chain of rollups down it) is walked without a
  recursion error by everything that walks trees: the tree queries, the unit tree and
  breadcrumbs, the cascade, scores from the cascade, rollups, the cycle check, alignment,
  the pages and the API.
- 10,000 cause-and-effect arrows on one unit's map are laid out, drawn and served.
"""

import datetime as dt
import itertools
import json
import sys
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import Q

from alignment.selectors import alignment_report
from scorecards import formulas, services
from scorecards.choices import Rollup, UnitKind
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    RollupSource,
)
from scorecards.selectors import breadcrumbs, unit_tree
from scorecards.selectors.cascade import cascade_tree
from scorecards.selectors.scorecard import objective_scores
from scorecards.selectors.series import load_series
from scorecards.strategy_map import MapObjective, layout
from tests.factories import (
    EnterpriseFactory,
    MeasureFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    UserFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

LONG = "1+" * 5_000  # 10,000 characters
DEEP = "(" * 5_000 + "1" + ")" * 5_000  # 5,000 levels (10,001 characters)
TOO_LONG = "Syntax error: the formula is longer than 1,000 characters (at character 1001)."
TOO_DEEP = (
    "Syntax error: the formula nests more than 50 levels of parentheses or signs (at character 51)."
)


# Formulas ----------------------------------------------------------------------------------


@pytest.fixture
def no_parsing(monkeypatch):
    """The parser proper, made to fail the test if it is reached."""

    def parser(*args, **kwargs):
        raise AssertionError("the formula reached the parser")

    monkeypatch.setattr(formulas, "_Parser", parser)


def refusal_time(text: str) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(formulas.FormulaError) as info:
        formulas.parse(text)
    return str(info.value), time.perf_counter() - start


@pytest.mark.parametrize(
    "text,message",
    [
        (LONG + "1", "the formula is longer than 1,000 characters (at character 1001)"),
        (DEEP, "the formula is longer than 1,000 characters (at character 1001)"),
        (LONG * 100, "the formula is longer than 1,000 characters (at character 1001)"),
        # Within 1,000 characters but deeper than 50 levels: refused at the 51st level.
        ("(" * 400 + "1" + ")" * 400,
         "the formula nests more than 50 levels of parentheses or signs (at character 51)"),
        ("abs(" * 51 + "1" + ")" * 51,
         "the formula nests more than 50 levels of parentheses or signs (at character 204)"),
        ("-" * 51 + "1",
         "the formula nests more than 50 levels of parentheses or signs (at character 51)"),
        # A sign before each "(": the k-th pair is level k (a "(" ends the run of signs);
        # the 51st "-" is the 51st level, at character 2 x 50 + 1.
        ("-(" * 51 + "1" + ")" * 51,
         "the formula nests more than 50 levels of parentheses or signs (at character 101)"),
    ],
)  # fmt: skip
def test_long_or_deep_formulas_are_refused_before_parsing(no_parsing, text, message):
    got, seconds = refusal_time(text)
    assert got == message
    assert seconds < 1.0, f"took {seconds:.2f}s"


def test_nesting_up_to_the_limit_still_parses():
    # 50 levels of each kind are allowed and evaluate: ((...(7)...)) = 7, - applied 50
    # times to 7 = 7 (an even count), abs nested 50 times of -7 = 7.
    assert formulas.evaluate(formulas.parse("(" * 50 + "7" + ")" * 50), dict) == 7
    assert formulas.evaluate(formulas.parse("-" * 50 + "7"), dict) == 7
    assert formulas.evaluate(formulas.parse("abs(" * 49 + "-7" + ")" * 49), dict) == 7
    # "1-" then 49 more signs: one binary minus and 49 unary ones, a run of 50 signs:
    # 1 - (-(... 49 times ... 1)) = 1 - (-1) = 2 (49 is odd).
    assert formulas.evaluate(formulas.parse("1-" + "-" * 49 + "1"), dict) == 2


@pytest.fixture
def objective():
    unit = OrgUnitFactory(code="FIN")
    obj = ObjectiveFactory(unit=unit, code="PROFIT")
    MeasureFactory(objective=obj, code="REV")
    return obj


@pytest.mark.parametrize("text,message", [(LONG, TOO_LONG), (DEEP, TOO_LONG),
                                          ("(" * 400 + "REV" + ")" * 400, TOO_DEEP)])  # fmt: skip
def test_the_service_refuses_them_and_writes_nothing(objective, no_parsing, text, message):
    before = Measure.objects.count()
    with pytest.raises(Exception) as info:
        services.measure_create(
            actor=None,
            data={"objective": objective, "code": "CALC", "name": "Calc", "formula": text},
        )
    assert info.value.message_dict == {"formula": [message]}
    assert Measure.objects.count() == before


@pytest.mark.parametrize("text,message", [(LONG, TOO_LONG), (DEEP, TOO_LONG),
                                          ("(" * 400 + "REV" + ")" * 400, TOO_DEEP)])  # fmt: skip
def test_the_web_form_says_so_next_to_the_field(client, objective, no_parsing, text, message):
    client.force_login(UserFactory(roles=["OSM staff"]))
    before = Measure.objects.count()
    response = client.post(
        f"/objectives/{objective.pk}/measures/new/",
        {"code": "CALC", "name": "Calc", "unit_label": "", "polarity": "increase",
         "frequency": "monthly", "aggregation": "last", "weight": "1", "owner": "",
         "tolerance": "10", "formula": text, "rollup": "none"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {"formula": [message]}
    assert message in response.content.decode()
    assert Measure.objects.count() == before


@pytest.mark.parametrize("text,message", [(LONG, TOO_LONG), (DEEP, TOO_LONG),
                                          ("(" * 400 + "REV" + ")" * 400, TOO_DEEP)])  # fmt: skip
def test_the_api_answers_400_naming_the_field(objective, no_parsing, text, message):
    api = client_for(UserFactory(roles=["OSM staff"]))
    before = Measure.objects.count()
    body = {"objective": objective.pk, "code": "CALC", "name": "Calc", "formula": text}
    response = api.post("/api/v1/measures/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"formula": [message]}
    rev = Measure.objects.get(code="REV")
    response = api.patch(f"/api/v1/measures/{rev.pk}/", {"formula": text}, format="json")
    assert response.status_code == 400
    assert response.json() == {"formula": [message]}
    assert Measure.objects.count() == before
    assert Measure.objects.get(pk=rev.pk).formula is None


def test_the_longest_formula_allowed_is_evaluated_on_the_pages(client, objective):
    # A + A + ... + A, 500 times in 999 characters: 499 additions, a tree 499 levels deep,
    # evaluated for the pages. A's actual 2 in January 2026: 500 x 2 = 1000.
    a = MeasureFactory(objective=objective, code="A")
    MeasureValue.objects.create(measure=a, period=dt.date(2026, 1, 1), actual=2, target=2)
    text = "+".join(["A"] * 500)
    assert len(text) == 999
    calc = services.measure_create(
        actor=None, data={"objective": objective, "code": "CALC", "name": "Calc", "formula": text}
    )
    series = load_series(Q(pk=calc.pk))
    assert series[calc.pk].actual(dt.date(2026, 1, 1)) == 1000
    client.force_login(UserFactory(roles=["OSM staff"]))
    assert client.get(f"/measures/{calc.pk}/").status_code == 200
    assert client.get(f"/units/{objective.unit.code}/?as_of=2026-01").status_code == 200
    response = client_for(UserFactory(roles=["Executive"])).get(
        f"/api/v1/units/{objective.unit.pk}/scorecard/", {"as_of": "2026-01"}
    )
    assert response.status_code == 200


# A unit tree 1,000 deep --------------------------------------------------------------------

DEPTH = 1_000


def deep_chain(depth: int = DEPTH):
    """ENT > L1 > L2 > ... > L<depth>, made in bulk. Each unit has:
    - objective O, supporting its parent's O (a cascade 1,000 deep); only the deepest O
      has a measure (E: actual 95, target 100 in January 2026), so every O above scores
      from the cascade;
    - objective R with measure R, a SUM rollup of its child's R (1,000 rollups deep); the
      deepest R is entered (actual 95, target 100 in January 2026)."""
    units = [EnterpriseFactory()]
    for level in range(1, depth + 1):
        units.append(
            OrgUnit.objects.create(
                code=f"L{level}", name=f"Level {level}", kind=UnitKind.DEPARTMENT,
                parent=units[-1],
            )
        )  # fmt: skip
    financial = Perspective.objects.get(name="Financial")
    Objective.objects.bulk_create(
        Objective(unit=u, code=code, name=f"{code} of {u.code}", perspective=financial)
        for u in units
        for code in ("O", "R")
    )
    objectives = {(o.unit_id, o.code): o for o in Objective.objects.filter(unit__in=units)}
    pairs = list(itertools.pairwise(units))  # (parent, child)
    CascadeLink.objects.bulk_create(
        CascadeLink(supporting=objectives[c.pk, "O"], supported=objectives[p.pk, "O"])
        for p, c in pairs
    )
    deepest = units[-1]
    Measure.objects.bulk_create(
        [Measure(objective=objectives[deepest.pk, "O"], unit=deepest, code="E", name="E")]
        + [
            Measure(
                objective=objectives[u.pk, "R"], unit=u, code="R", name=f"R of {u.code}",
                rollup=Rollup.NONE if u is deepest else Rollup.SUM,
            )
            for u in units
        ]
    )  # fmt: skip
    measures = {(m.unit_id, m.code): m for m in Measure.objects.filter(unit__in=units)}
    RollupSource.objects.bulk_create(
        RollupSource(rollup_measure=measures[p.pk, "R"], source=measures[c.pk, "R"])
        for p, c in pairs
    )
    MeasureValue.objects.bulk_create(
        MeasureValue(
            measure=measures[deepest.pk, code], period=dt.date(2026, 1, 1),
            actual=Decimal("95"), target=Decimal("100"),
        )
        for code in ("E", "R")
    )  # fmt: skip
    return units, objectives, measures


@pytest.fixture
def chain():
    return deep_chain()


def json_of(response):
    """The answer's JSON; parsing 2,000 levels of nesting needs more than Python's default
    recursion limit (the server wrote it without recursion; a client's parser may not)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        return json.loads(response.content)
    finally:
        sys.setrecursionlimit(limit)


# Score of the deepest values: actual 95, target 100, default red flag 100 - 10% = 90:
# 10/3 + (95 - 90) / (100 - 90) x 10/3 = 10/3 + 5/3 = 5 (yellow). A SUM rollup of one
# source that reported takes its actual and target: 5 at every level too.
SCORE = Fraction(5)


def test_tree_queries_and_walkers_of_a_deep_tree(chain):
    units, objectives, measures = chain
    root, deepest = units[0], units[-1]
    assert OrgUnit.objects.subtree_of(root.pk).count() == DEPTH + 1
    assert OrgUnit.objects.ancestors_of(deepest.pk).count() == DEPTH
    tree = unit_tree()
    assert [(u.code, depth) for u, depth in tree][:3] == [("ENT", 0), ("L1", 1), ("L2", 2)]
    assert tree[-1][0].code == "L1000" and tree[-1][1] == DEPTH
    assert [u.code for u in breadcrumbs(deepest)] == ["ENT"] + [f"L{i}" for i in range(1, 1001)]

    top = objectives[root.pk, "O"]
    cascade = cascade_tree(top)
    assert len(cascade.ids()) == DEPTH + 1
    outline = cascade.outline()
    assert [row.depth for row in outline] == list(range(DEPTH))
    assert len(outline[-1].closes) == DEPTH - 1  # the deepest closes every list it is in

    subtree = Q(id__in=OrgUnit.objects.subtree_of(root.pk))
    scores = objective_scores(subtree, as_of=dt.date(2026, 1, 1))
    assert scores[top.pk].score == SCORE and scores[top.pk].from_cascade

    series = load_series(Q(pk=measures[root.pk, "R"].pk))
    january = series[measures[root.pk, "R"].pk].values[dt.date(2026, 1, 1)]
    assert (january.actual, january.target) == (95, 100)

    report = alignment_report(root, fiscal_year=2026, today=dt.date(2026, 3, 15))
    # Objective linkage: of the 2,000 objectives below the root, the 1,000 O's support
    # their parent's, the R's nothing: 50%. Cascade coverage of ENT: O is supported by
    # L1.O, R by nothing: 1 of 2 = 50%.
    assert report.metrics.objective_linkage == 50
    assert report.metrics.cascade_coverage == 50
    assert len(report.units) == DEPTH + 1


def test_the_cycle_check_walks_a_rollup_chain_1000_deep(chain):
    units, _, measures = chain
    root, deepest = units[0], units[-1]
    top = measures[root.pk, "R"]
    # Saving the top rollup checks its kept source (and all 1,000 below) for a cycle.
    services.measure_update(actor=None, instance=top, data={"name": "All levels"})
    # The deepest R reading the top R would close a cycle 1,001 measures long.
    leaf = measures[deepest.pk, "R"]
    with pytest.raises(Exception) as info:
        services.measure_update(actor=None, instance=leaf, data={"formula": "ENT.R"})
    (message,) = info.value.message_dict["formula"]
    chain_text = " → ".join(["L1000.R", "ENT.R"] + [f"L{i}.R" for i in range(1, 1001)])
    assert message == f"This would make a cycle of measures reading each other: {chain_text}."
    assert Measure.objects.get(pk=leaf.pk).formula is None


def test_the_pages_of_a_deep_tree(client, chain):
    units, objectives, measures = chain
    root, deepest = units[0], units[-1]
    client.force_login(UserFactory(roles=["OSM staff"]))
    for url in (
        "/?as_of=2026-01",
        f"/units/{deepest.code}/?as_of=2026-01",
        f"/units/{root.code}/cascade/",
        f"/measures/{measures[root.pk, 'R'].pk}/",
        "/alignment/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/objectives/{objectives[root.pk, 'O'].pk}/").content.decode()
    # The cascade: 1,000 nested lists (the outer one and one per objective with supporters
    # below it: L1 to L999), each closed.
    cascade = html[html.index('<ul class="cascade">') :]
    cascade = cascade[: cascade.index("</section>")]
    assert cascade.count("<ul") == cascade.count("</ul>") == DEPTH
    assert cascade.count("<li>") == cascade.count("</li>") == DEPTH
    assert f'href="/objectives/{objectives[deepest.pk, "O"].pk}/"' in cascade


def test_the_api_of_a_deep_tree(chain):
    units, objectives, _ = chain
    root = units[0]
    api = client_for(UserFactory(roles=["OSM staff"]))
    response = api.get(f"/api/v1/objectives/{objectives[root.pk, 'O'].pk}/cascade/")
    assert response.status_code == 200
    node, depth = json_of(response), 0
    while node["supported_by"]:
        (node,) = node["supported_by"]
        depth += 1
    assert depth == DEPTH and node["code"] == "O" and node["unit"] == units[-1].pk
    response = api.get(f"/api/v1/units/{root.pk}/scorecard/", {"as_of": "2026-01"})
    assert response.status_code == 200
    assert response.json()["score"] == 5.0  # every objective of ENT scores 5 (above)
    response = api.get("/api/v1/alignment/", {"unit": root.pk, "fiscal_year": 2026})
    assert response.status_code == 200
    assert len(response.json()["units"]) == DEPTH + 1


# 10,000 arrows on one map ------------------------------------------------------------------

ARROWS = 10_000


@pytest.fixture
def crowded_map():
    """One unit with 101 objectives and 10,000 of the 101 x 100 possible arrows."""
    unit = OrgUnitFactory(code="BUSY")
    perspectives = list(Perspective.objects.order_by("order"))
    Objective.objects.bulk_create(
        Objective(unit=unit, code=f"O{i:03}", name=f"Objective {i}",
                  perspective=perspectives[i % 4])
        for i in range(101)
    )  # fmt: skip
    ids = list(Objective.objects.filter(unit=unit).order_by("code").values_list("id", flat=True))
    pairs = [(c, e) for c in ids for e in ids if c != e][:ARROWS]
    CauseEffect.objects.bulk_create(CauseEffect(cause_id=c, effect_id=e) for c, e in pairs)
    return unit, pairs


def test_ten_thousand_arrows_are_laid_out_quickly(crowded_map):
    unit, pairs = crowded_map
    perspectives = list(Perspective.objects.order_by("order").values_list("id", "name"))
    objectives = [
        MapObjective(id=o.id, code=o.code, name=o.name, perspective_id=o.perspective_id,
                     theme_id=None, status="no_data", score_text="—")
        for o in Objective.objects.filter(unit=unit)
    ]  # fmt: skip
    start = time.perf_counter()
    drawn = layout(perspectives, [], objectives, pairs)
    seconds = time.perf_counter() - start
    assert len(drawn.arrows) == ARROWS and len(drawn.boxes) == 101
    assert seconds < 5.0, f"took {seconds:.2f}s"


def test_ten_thousand_arrows_on_the_pages_and_the_api(client, crowded_map):
    unit, _ = crowded_map
    client.force_login(UserFactory(roles=["OSM staff"]))
    html = client.get(f"/units/{unit.code}/").content.decode()
    assert html.count('class="arrow') >= ARROWS or html.count("<line") >= ARROWS
    assert client.get(f"/units/{unit.code}/cascade/").status_code == 200
    answer = client_for(UserFactory(roles=["Executive"])).get(
        f"/api/v1/units/{unit.pk}/strategy-map/"
    )
    assert answer.status_code == 200
    assert len(answer.json()["links"]) == ARROWS
