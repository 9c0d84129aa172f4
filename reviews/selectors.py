"""Reads of the review meeting pages, shared with the reminder emails.

- `meeting_agenda`: a meeting's agenda generated from its unit's scorecard (red, then yellow
  objectives with their figures and owners' notes, those of the units below it, overdue
  values, open action items, the last meeting's decisions; for a test-and-adapt meeting,
  the arrows of the unit's map that the latest strategy test contradicted or did not
  support), or the agenda frozen when the meeting was held; `agenda_to_json` and
  `agenda_from_json` store it exactly (numbers as strings, never floats: `agenda_json`).
- `meetings_of`: the meetings list, next ones first.
- `invitable_users` / `suggested_users`: whom a meeting may invite, and the few offered
  first (a unit near the root may reach thousands of employees); with
  `objectives_for_items`, in `reviews.invitees` and named here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext

from alignment.strategy_tests import latest_strategy_tests
from communication.models import Analysis
from scorecards import scoring
from scorecards.models import Measure, OrgUnit
from scorecards.selectors.attention import (
    ATTENTION,
    AttentionUnit,
    cached_subtree_attention,
    missing_period,
    value_notes,
)
from scorecards.selectors.scorecard import (
    Clock,
    MeasureReading,
    ObjectiveReading,
    ScorecardReading,
    unit_scorecard,
)
from scorecards.strategy_map import VERDICT_LABELS, lag_text, p_text

from .agenda_json import decode, encode
from .choices import ActionStatus, MeetingKind, MeetingStatus
from .invitees import invitable_users, objectives_for_items, suggested_users  # noqa: F401
from .models import ActionItem, ReviewMeeting

AGENDA_VERSION = 1


# The agenda -----------------------------------------------------------------------------------


@dataclass
class AgendaMeasure:
    """One measure's figures as of the meeting's month."""

    id: int
    code: str
    name: str
    unit_label: str
    period: dt.date | None
    actual: Fraction | None
    target: Fraction | None
    red_flag: Fraction | None
    red_flag_is_default: bool
    score: Fraction | None
    status: str
    overdue: bool
    note: str = ""  # the owner's note on the value of `period` (why, what is being done)
    decimal_places: int | None = None  # how its figures are shown (None: as entered)


@dataclass
class AgendaObjective:
    """A red or yellow objective with its score and its measures (all of them for the
    meeting's unit; the red and yellow ones for a unit below)."""

    id: int
    code: str
    name: str
    perspective: str
    score: Fraction | None
    status: str
    from_cascade: bool  # scored from the objectives supporting it (no data of its own)
    measures: list[AgendaMeasure] = field(default_factory=list)
    # The month's analysis and recommendations (Markdown), as they were when the agenda was
    # frozen (empty in agendas frozen before analyses existed).
    analysis: str = ""
    recommendations: str = ""


@dataclass
class AgendaUnit:
    """A unit below the meeting's with red or yellow objectives: how many of each, and
    those listed, worst first (`unlisted` more are on its dashboard)."""

    code: str
    name: str
    depth: int  # 1 for a unit right below the meeting's
    red: int
    yellow: int
    objectives: list[AgendaObjective] = field(default_factory=list)
    unlisted: int = 0

    @property
    def red_objectives(self) -> list[AgendaObjective]:
        return [o for o in self.objectives if o.status == scoring.RED]

    @property
    def yellow_objectives(self) -> list[AgendaObjective]:
        return [o for o in self.objectives if o.status == scoring.YELLOW]


@dataclass
class OverdueValue:
    """A measure of the unit whose latest due value has no actual."""

    measure_id: int
    measure_code: str
    measure_name: str
    objective_code: str
    kind: str  # entered, calculated, rollup (the last two wait for their inputs)
    owner: str
    period: dt.date  # the period whose actual is missing
    due: dt.date


@dataclass
class AgendaActionItem:
    """An open action item: its owner, due date and whether it is late."""

    id: int
    title: str
    owner: str
    owner_id: int | None
    due: dt.date
    late: bool
    objective: str  # "UNIT.CODE Name", or "" when about no objective
    meeting_id: int
    meeting_title: str
    meeting_date: dt.date


@dataclass
class LastMeeting:
    """The unit's previous held meeting and what it decided."""

    id: int
    title: str
    date: dt.date
    decisions: str


@dataclass
class AgendaStrategyTest:
    """An arrow of the unit's map that the latest strategy test contradicted or did not
    support, with the figures behind the verdict (see alignment.models.StrategyTestResult)."""

    cause_code: str
    cause_name: str
    effect_code: str
    effect_name: str
    verdict: str  # contradicted | not_supported
    frequency: str  # monthly | quarterly
    lag: int | None  # the best lag, in periods of `frequency`
    r: float | None  # the effect size at that lag
    ci_low: float | None
    ci_high: float | None
    p_adjusted: float | None
    periods: int
    units: int
    cause_measure: str  # "CODE Name" of the pair compared, "" if since deleted
    effect_measure: str

    @property
    def label(self) -> str:
        """The verdict in words, in the reader's language (the words are
        scorecards.strategy_map's: translated here whether they are marked there lazily or
        with gettext_noop)."""
        return gettext(VERDICT_LABELS.get(self.verdict, self.verdict))

    @property
    def lag_text(self) -> str:
        return lag_text(self.lag, self.frequency)

    @property
    def p_text(self) -> str:
        return p_text(self.p_adjusted)


@dataclass
class AgendaStrategyTests:
    """The test-and-adapt part of an agenda: the day of the latest strategy test (None
    before any has run), how many of the map's arrows it judged, and those it contradicted
    or did not support, contradicted first."""

    run_on: dt.date | None
    arrows_tested: int = 0
    links: list[AgendaStrategyTest] = field(default_factory=list)


@dataclass
class Agenda:
    """What a review meeting discusses, generated from the scorecard of its unit as of the
    meeting's month. `prepared_on` is the day it was computed (for a frozen agenda: the day
    the meeting was held); an action item is late when its due date was before that day, or
    before the meeting's day if that is earlier."""

    meeting_id: int
    unit_code: str
    unit_name: str
    as_of: dt.date
    prepared_on: dt.date
    score: Fraction | None
    status: str
    red: list[AgendaObjective] = field(default_factory=list)  # the unit's own
    yellow: list[AgendaObjective] = field(default_factory=list)
    overdue: list[OverdueValue] = field(default_factory=list)
    # The units below with red or yellow objectives, in the tree's order, and the count of
    # the objectives of the unit and all below it by status (both empty in agendas frozen
    # before they were kept).
    below: list[AgendaUnit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    action_items: list[AgendaActionItem] = field(default_factory=list)  # this meeting's
    carried_over: list[AgendaActionItem] = field(default_factory=list)  # earlier meetings'
    last_meeting: LastMeeting | None = None
    # Test-and-adapt meetings only (None for the others, and in agendas frozen before it).
    strategy_tests: AgendaStrategyTests | None = None
    frozen: bool = False

    @property
    def objectives(self) -> list[AgendaObjective]:
        """The unit's own: red ones first, then yellow ones."""
        return self.red + self.yellow

    @property
    def red_total(self) -> int:
        """Red objectives of the unit and of every unit below it."""
        return self.counts.get(scoring.RED, len(self.red))

    @property
    def yellow_total(self) -> int:
        return self.counts.get(scoring.YELLOW, len(self.yellow))

    @property
    def red_below(self) -> list[AgendaUnit]:
        return [u for u in self.below if u.red_objectives]

    @property
    def yellow_below(self) -> list[AgendaUnit]:
        return [u for u in self.below if u.yellow_objectives]

    @property
    def unlisted(self) -> int:
        return sum(u.unlisted for u in self.below)

    @property
    def open_items(self) -> list[AgendaActionItem]:
        return self.action_items + self.carried_over


def _person(first: str, last: str, username: str | None) -> str:
    return f"{first} {last}".strip() or (username or "")


def _worst_first(objective: AgendaObjective):
    return (objective.score is None, objective.score or 0, objective.code)


def meeting_agenda(meeting: ReviewMeeting, *, today: dt.date | None = None) -> Agenda:
    """The agenda of `meeting`: the one frozen when it was held, if any; else generated now
    from its unit's scorecard as of the meeting's month:

    - red objectives, then yellow ones (each worst score first), with every measure's
      period, actual, target, red flag, score, status and its owner's note;
    - the red and yellow objectives of every unit below, grouped by unit, with their red
      and yellow measures and notes, and the subtree's objectives counted by status
      (`scorecards.selectors.attention.cached_subtree_attention`);
    - overdue values: the unit's measures whose latest due value has no actual;
    - open action items of this meeting, and those still open from the unit's earlier
      meetings (follow-up), with owner, due date and whether late;
    - the decisions of the unit's last held meeting before this one;
    - for a test-and-adapt meeting, the arrows of the unit's map that the latest strategy
      test contradicted or did not support, with lag, effect size, interval, adjusted p,
      periods and units.

    A fixed number of queries (the scorecard's, the subtree's, plus four; two more for a
    test-and-adapt meeting), whatever the number of units, objectives, measures, items or
    arrows."""
    if meeting.agenda:
        agenda = agenda_from_json(meeting.agenda)
        agenda.frozen = True
        return agenda
    today = today or timezone.localdate()
    meeting_day = timezone.localdate(meeting.scheduled_for)
    unit = meeting.unit
    card = unit_scorecard(unit, as_of=meeting_day, today=today)
    red, yellow, overdue = _scorecard_parts(card, Clock.make(meeting_day, today))
    _add_notes(red + yellow)
    _add_analyses(red + yellow, card.as_of)
    subtree = cached_subtree_attention(unit, as_of=meeting_day, today=today)
    perspectives = {p.id: p.name for p in card.perspectives}
    items, carried = _agenda_items(meeting, late_before=min(today, meeting_day))
    return Agenda(
        meeting_id=meeting.pk,
        unit_code=unit.code,
        unit_name=unit.name,
        as_of=card.as_of,
        prepared_on=today,
        score=card.score,
        status=card.status,
        red=sorted(red, key=_worst_first),
        yellow=sorted(yellow, key=_worst_first),
        overdue=overdue,
        below=[_agenda_unit(u, perspectives) for u in subtree.units if u.id != unit.pk],
        counts=subtree.counts,
        action_items=items,
        carried_over=carried,
        last_meeting=_last_meeting(meeting),
        strategy_tests=_strategy_tests(unit) if meeting.kind == MeetingKind.TEST_ADAPT else None,
    )


def _scorecard_parts(
    card: ScorecardReading, clock: Clock
) -> tuple[list[AgendaObjective], list[AgendaObjective], list[OverdueValue]]:
    """The red and the yellow objectives of the unit's scorecard `card` (in the scorecard's
    order), and its overdue values with their owners, soonest due first."""
    perspectives = {p.id: p.name for p in card.perspectives}
    red, yellow, overdue = [], [], []
    for objective in card.objectives():
        overdue += [_overdue_value(r, objective, clock) for r in objective.measures if r.overdue]
        if objective.status not in (scoring.RED, scoring.YELLOW):
            continue
        entry = _agenda_objective(objective, perspectives.get(objective.perspective_id, ""))
        (red if objective.status == scoring.RED else yellow).append(entry)
    _name_owners(overdue)
    overdue.sort(key=lambda o: (o.due, o.objective_code, o.measure_code))
    return red, yellow, overdue


def _overdue_value(
    reading: MeasureReading, objective: ObjectiveReading, clock: Clock
) -> OverdueValue:
    """An overdue measure's missing value: its latest period due by the clock (the owner is
    named later, for all at once)."""
    period, due = missing_period(reading, clock)
    return OverdueValue(
        measure_id=reading.id,
        measure_code=reading.code,
        measure_name=reading.name,
        objective_code=objective.code,
        kind=reading.kind,
        owner="",
        period=period,
        due=due,
    )


def _copy(kind, source, **given):
    """A `kind` dataclass from `given` and the attributes of `source` of the same names
    (a field `source` lacks keeps its default)."""
    names = {f.name for f in dataclasses.fields(kind)} - given.keys()
    return kind(**{n: getattr(source, n) for n in names if hasattr(source, n)}, **given)


def _agenda_objective(objective, perspective: str, **measure_fields) -> AgendaObjective:
    """A red or yellow objective (a scorecard's ObjectiveReading, or an AttentionObjective
    of a unit below) with the figures of its measures."""
    measures = [_copy(AgendaMeasure, m, **measure_fields) for m in objective.measures]
    return _copy(AgendaObjective, objective, perspective=perspective, measures=measures)


def _add_notes(objectives: list[AgendaObjective]) -> None:
    """Put on each red or yellow measure the note of its value of the period scored (one
    query, none without such a measure)."""
    measures = [m for o in objectives for m in o.measures if m.status in ATTENTION and m.period]
    notes = value_notes((m.id, m.period) for m in measures)
    for measure in measures:
        measure.note = notes.get((measure.id, measure.period), "")


def _add_analyses(objectives: list[AgendaObjective], month: dt.date) -> None:
    """Put on each objective its analysis of the agenda's month (one query, none without
    an objective)."""
    if not objectives:
        return
    rows = Analysis.objects.filter(
        subject_type="objective", subject_id__in=[o.id for o in objectives], month=month
    ).values_list("subject_id", "analysis", "recommendations")
    found = {subject: (analysis, recommendations) for subject, analysis, recommendations in rows}
    for objective in objectives:
        objective.analysis, objective.recommendations = found.get(objective.id, ("", ""))


def _agenda_unit(unit: AttentionUnit, perspectives: dict[int, str]) -> AgendaUnit:
    """A unit below the meeting's, as the agenda lists it (its notes already read; its
    overdue values are on its own meetings' agendas)."""
    objectives = [
        _agenda_objective(o, perspectives.get(o.perspective_id, ""), overdue=False)
        for o in unit.objectives
    ]
    return _copy(AgendaUnit, unit, objectives=objectives)


def _name_owners(overdue: list[OverdueValue]) -> None:
    """Fill in the owners of the overdue values' measures (one query, none if no value)."""
    if not overdue:
        return
    owners = {
        row["id"]: _person(row["owner__first_name"] or "", row["owner__last_name"] or "",
                           row["owner__username"])
        for row in Measure.objects.filter(id__in=[o.measure_id for o in overdue]).values(
            "id", "owner__first_name", "owner__last_name", "owner__username"
        )
    }  # fmt: skip
    for value in overdue:
        value.owner = owners.get(value.measure_id, "")


def _agenda_items(
    meeting: ReviewMeeting, *, late_before: dt.date
) -> tuple[list[AgendaActionItem], list[AgendaActionItem]]:
    """The open action items of this meeting, and those carried over from the unit's
    earlier meetings; late when due before `late_before` (one query)."""
    items, carried = [], []
    for item in _open_items(meeting):
        entry = _agenda_item(item, late_before=late_before)
        (items if item.meeting_id == meeting.pk else carried).append(entry)
    return items, carried


def _agenda_item(item: ActionItem, *, late_before: dt.date) -> AgendaActionItem:
    """An open action item as the agenda lists it (who, when, about what, from which
    meeting)."""
    owner = item.owner
    objective = item.objective
    return AgendaActionItem(
        id=item.id,
        title=item.title,
        owner=_person(owner.first_name, owner.last_name, owner.username) if owner else "",
        owner_id=item.owner_id,
        due=item.due,
        late=item.due < late_before,
        objective=(f"{objective.unit.code}.{objective.code} {objective.name}" if objective else ""),
        meeting_id=item.meeting_id,
        meeting_title=item.meeting.title,
        meeting_date=timezone.localdate(item.meeting.scheduled_for),
    )


def _last_meeting(meeting: ReviewMeeting) -> LastMeeting | None:
    """What the agenda says of the unit's last held meeting before this one (one query)."""
    last = last_held_meeting(meeting)
    if last is None:
        return None
    return LastMeeting(
        id=last.pk,
        title=last.title,
        date=timezone.localdate(last.scheduled_for),
        decisions=last.decisions,
    )


def _strategy_tests(unit: OrgUnit) -> AgendaStrategyTests:
    """The arrows of `unit`'s map the latest strategy test contradicted or did not support,
    contradicted first, then by cause and effect code (two queries)."""
    run, results = latest_strategy_tests(unit)
    if run is None:
        return AgendaStrategyTests(run_on=None)
    arrows = [r for r in results if not r.exploratory]
    weak = [r for r in arrows if r.verdict in ("contradicted", "not_supported")]
    weak.sort(key=lambda r: (r.verdict != "contradicted", r.cause.code, r.effect.code))

    def measure(m) -> str:
        return f"{m.code} {m.name}" if m else ""

    return AgendaStrategyTests(
        run_on=run.run_on,
        arrows_tested=len(arrows),
        links=[
            AgendaStrategyTest(
                cause_code=r.cause.code,
                cause_name=r.cause.name,
                effect_code=r.effect.code,
                effect_name=r.effect.name,
                verdict=r.verdict,
                frequency=r.frequency,
                lag=r.lag,
                r=r.effect_size,
                ci_low=r.ci_low,
                ci_high=r.ci_high,
                p_adjusted=r.p_adjusted,
                periods=r.periods,
                units=r.units,
                cause_measure=measure(r.cause_measure),
                effect_measure=measure(r.effect_measure),
            )
            for r in weak
        ],
    )


def _open_items(meeting: ReviewMeeting) -> QuerySet[ActionItem]:
    """Open items of this meeting and of the unit's meetings before it (one query)."""
    return (
        ActionItem.objects.filter(meeting__unit_id=meeting.unit_id, status=ActionStatus.OPEN)
        .filter(Q(meeting=meeting) | Q(meeting__scheduled_for__lt=meeting.scheduled_for))
        .select_related("owner", "objective__unit", "meeting")
        .order_by("due", "id")
    )


def carried_over_items(meeting: ReviewMeeting) -> QuerySet[ActionItem]:
    """The items still open from the unit's meetings before this one (follow-up), soonest
    due first, with what the pages show of them (one query)."""
    return (
        ActionItem.objects.filter(
            meeting__unit_id=meeting.unit_id,
            status=ActionStatus.OPEN,
            meeting__scheduled_for__lt=meeting.scheduled_for,
        )
        .select_related("owner", "objective__unit", "meeting__unit")
        .order_by("due", "id")
    )


def last_held_meeting(meeting: ReviewMeeting) -> ReviewMeeting | None:
    """The unit's last held meeting before this one (one query)."""
    return (
        ReviewMeeting.objects.filter(
            unit_id=meeting.unit_id,
            status=MeetingStatus.HELD,
            scheduled_for__lt=meeting.scheduled_for,
        )
        .exclude(pk=meeting.pk)
        .only("id", "title", "scheduled_for", "decisions")
        .order_by("-scheduled_for", "-id")
        .first()
    )


# The agenda as JSON (the frozen copy) ---------------------------------------------------------


def agenda_to_json(agenda: Agenda) -> dict:
    """The agenda as JSON-ready data: numbers as exact strings ("95", "12.5", "20/3"),
    dates as ISO strings."""
    return {"version": AGENDA_VERSION, **encode(agenda)}


def agenda_from_json(data: dict) -> Agenda:
    """The agenda back from `agenda_to_json`'s data, numbers exact again."""
    return decode(Agenda, {k: v for k, v in data.items() if k != "version"})


# The meetings list ----------------------------------------------------------------------------


def meetings_of(queryset: QuerySet[ReviewMeeting], *, now: dt.datetime | None = None):
    """`queryset` with what the list shows (unit, chair, number of action items still
    open), next meetings first: the upcoming ones soonest first, then the past ones most
    recent first."""
    now = now or timezone.now()
    upcoming = Q(scheduled_for__gte=now)
    return (
        queryset.select_related("unit", "chair")
        .annotate(
            is_past=Case(When(upcoming, then=0), default=1),
            upcoming_at=Case(When(upcoming, then=F("scheduled_for"))),
            past_at=Case(When(~upcoming, then=F("scheduled_for"))),
            open_items=Count("action_items", filter=Q(action_items__status=ActionStatus.OPEN)),
        )
        .order_by("is_past", F("upcoming_at").asc(nulls_last=True), F("past_at").desc(), "id")
    )
