"""Search across everything a person may see: a registry of what is searchable, and the
engine that searches it.

Each app registers, in its AppConfig.ready(), what it makes searchable (DESIGN.md's layers:
core imports none of the apps) as a `SearchType`: its model, the fields that make its title
(weight A) and its body (weight B), how a row is titled and where it is shown, and the rows
a user may see (by default the model's access declaration, core.scoping.restrict). The
search page and the API ask only this module.

On PostgreSQL the search is full-text: `websearch_to_tsquery` (quoted phrases, `or`,
`-word`) against a weighted `tsvector` of the title and body fields, in the text-search
configuration of the company's language (`search_config()`: stemming, so "customers" finds
"customer"), ranked by `ts_rank`, with `ts_headline` snippets. Each searchable model has a
GIN index over exactly that vector expression (`AddSearchIndex` in its app's migrations), so
a match is found in the index, not by reading the table. Elsewhere (SQLite, development) a
fallback finds the rows holding every word of the query (in any case) and ranks title hits
above body hits.

One query per type, whatever the number of rows: the best `limit` rows of each type with
their rank and the number of matches, merged by rank; on PostgreSQL one more for the
snippets of the rows kept (and two that set and reset the scan settings, `_bitmap_scans`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, connections, transaction
from django.db.migrations.operations.base import Operation
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, Left, NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .replica import DEFAULT, heavy_reads
from .scoping import perm_name, restrict

MAX_QUERY = 200  # characters of a query: more is refused (the page and the API say so)
MAX_WORDS = 10  # words of a query the fallback looks for; more only cost time
SNIPPET_WORDS = 30  # words of a fallback snippet around the first match
TITLE_SCORE, BODY_SCORE = 1.0, 0.4  # fallback: a word in the title counts more

# PostgreSQL's text-search configuration per language of the settings (LANGUAGE_CODE): the
# stemming of the language the company writes its strategy in. `simple` for any other.
CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "it": "italian", "nl": "dutch", "no": "norwegian", "pt": "portuguese",
    "sv": "swedish",
}  # fmt: skip

# A snippet is a passage of a thing's title followed by its body, joined by SEPARATOR: where
# the words are (its beginning when they are in the title).
SEPARATOR = " — "

# What ts_headline puts around a match: characters of Unicode's private use area, which no
# text holds, so the snippet is escaped whole and only these become <mark> tags.
START, STOP = "\ue000", "\ue001"
MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def search_config() -> str:
    """The text-search configuration: `OSM_SEARCH_CONFIG`, else the one of LANGUAGE_CODE.

    The GIN indexes are built with the configuration in force when they were migrated; one
    changed later must be followed by rebuilding them (migrate the apps back before their
    `search_indexes` migration and forward again), or the search reads the whole tables."""
    configured = getattr(settings, "OSM_SEARCH_CONFIG", "")
    return configured or CONFIGS.get(settings.LANGUAGE_CODE.split("-")[0].lower(), "simple")


# The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchType:
    """A kind of thing people search for: its API name, its label, its model, the fields of
    its title (ranked first) and of its body, its title and page, and the rows a user may
    see (`scope`; by default the model's access declaration). `related`: select_related
    paths that `title` and `url` read."""

    name: str
    label: object
    model: type
    title_fields: tuple[str, ...]
    body_fields: tuple[str, ...]
    title: Callable[[object], str]
    url: Callable[[object], str]
    scope: Callable[[object], QuerySet] | None = None
    related: tuple[str, ...] = ()

    def visible(self, user) -> QuerySet:
        """The rows `user` may see (none without the permission to see the model's rows)."""
        if self.scope is not None:
            return self.scope(user)
        return restrict(self.model._default_manager.all(), user)

    def may_see(self, user) -> bool:
        """Whether `user` may see rows of this kind at all."""
        return user.has_perm(perm_name(self.model, "view"))


_types: dict[str, SearchType] = {}


def register_search(kind: SearchType) -> None:
    """Called by the app owning the model, in its AppConfig.ready()."""
    _types[kind.name] = kind


def search_types() -> list[SearchType]:
    """Every searchable type, in the order the apps registered them (INSTALLED_APPS)."""
    return list(_types.values())


def search_type(name: str) -> SearchType | None:
    return _types.get(name)


def searchable_types(user) -> list[SearchType]:
    """The types whose rows `user` may see (none for someone without a role)."""
    return [kind for kind in _types.values() if kind.may_see(user)]


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One thing found: its type, id, title, page, a snippet of its text (safe HTML, the
    matches in <mark>) and its rank (higher is better)."""

    type: SearchType
    id: int
    title: str
    url: str
    snippet: SafeString
    rank: float


@dataclass
class Found:
    """What a search found: `count` matches in all (of `counts`, by type name) and the best
    of them, `hits`, by rank."""

    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def search(user, q: str, types: Iterable[str] | None = None, limit: int = 50) -> Found:
    """Search `q` in the types named (all those `user` may see when None), among the rows
    `user` may see: the best `limit` by rank, and how many match. One query per type, and
    on PostgreSQL three more (the scan settings, the snippets).

    An unknown type name raises ValueError (the page and the API refuse it first)."""
    names = list(types) if types is not None else list(_types)
    unknown = [name for name in names if name not in _types]
    if unknown:
        raise ValueError(f"unknown search types: {', '.join(unknown)}")
    q = (q or "").strip()[:MAX_QUERY]
    kinds = [_types[name] for name in dict.fromkeys(names) if _types[name].may_see(user)]
    if not q or limit < 1 or not kinds:
        return Found()
    if connection.vendor == "postgresql":
        # On the read replica if any (core/replica.py): the transaction is the replica's then.
        with heavy_reads() as using, transaction.atomic(using=using), _bitmap_scans(using):
            return _found(_PostgreSQL(q), kinds, user, limit)
    return _found(_Fallback(q), kinds, user, limit)


def _found(engine, kinds: list[SearchType], user, limit: int) -> Found:
    """Each type's best rows and count (one query each), merged by rank; then the snippets
    of the rows kept."""
    found, rows = Found(), []
    order = {kind.name: position for position, kind in enumerate(kinds)}
    for kind in kinds:
        total, best = engine.rows(kind, kind.visible(user), limit)
        if total:
            found.counts[kind.name] = total
            found.count += total
            rows += [(kind, row) for row in best]
    rows.sort(key=lambda pair: (-pair[1].search_rank, order[pair[0].name], -pair[1].pk))
    rows = rows[:limit]
    snippets = engine.snippets(rows)
    found.hits = [
        Hit(kind, row.pk, kind.title(row), kind.url(row), snippets[kind.name, row.pk],
            float(row.search_rank))
        for kind, row in rows
    ]  # fmt: skip
    return found


# PostgreSQL: full text, through the GIN index ---------------------------------------------

# A query matching many rows of a type (a common word) ranks the CANDIDATES most recent of
# them (all are counted): ranking reads each row's text again (the index holds no ranks), so
# its cost must not grow with the table. Ranks read the title and the first RANK_CHARS of
# the body; a snippet comes from the first SNIPPET_CHARS of the text.
CANDIDATES = 200
RANK_CHARS = 300
SNIPPET_CHARS = 4000


def search_vector(title_fields: Iterable[str], body_fields: Iterable[str], config: str):
    """The weighted document of a searchable row: its title fields (weight A) then its body
    fields (weight B). The GIN indexes are built over this very expression (AddSearchIndex),
    which is what lets PostgreSQL answer the match from the index."""
    vector = SearchVector(*title_fields, config=config, weight="A")
    if body_fields:
        vector = vector + SearchVector(*body_fields, config=config, weight="B")
    return vector


@contextmanager
def _bitmap_scans(using: str = DEFAULT):
    """Within the search's transaction, PostgreSQL reads the matches through the GIN
    indexes' bitmaps, whatever their number: its planner prices a match read from a GIN
    index as if each row's text were parsed again (it is not: the index answers the match
    alone), so for a common word it would rather parse every row of the table, or walk the
    rows by id parsing each, which costs hundreds of milliseconds on long texts. The
    settings are put back after (the search may run in a longer transaction)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan = cursor.fetchone()[:2]
    try:
        yield
    finally:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )


def _related(kind: SearchType) -> tuple:
    """What select_related is given: the type's paths, or None (no join) without any."""
    return kind.related or (None,)


def _text(fields: tuple[str, ...]):
    """The fields as one text, separated by spaces (an empty field as nothing)."""
    parts = []
    for name in fields:
        parts += [Coalesce(F(name), Value("")), Value(" ")]
    return parts[0] if len(fields) == 1 else Concat(*parts[:-1])


class _PostgreSQL:
    """Full-text search: websearch_to_tsquery, the GIN indexes, ts_rank and ts_headline."""

    def __init__(self, q: str):
        self.config = search_config()
        self.query = SearchQuery(q, search_type="websearch", config=self.config)

    def rows(self, kind: SearchType, rows: QuerySet, limit: int):
        """(how many of `rows` match, the best `limit` of the CANDIDATES most recent): one
        query, whose two subqueries read the GIN index only."""
        vector = search_vector(kind.title_fields, kind.body_fields, self.config)
        matching = rows.alias(search_document=vector).filter(search_document=self.query)
        candidates = matching.order_by("-pk").values("pk")[:CANDIDATES]
        total = matching.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
        ranked = SearchVector(*kind.title_fields, config=self.config, weight="A")
        for name in kind.body_fields:
            ranked = ranked + SearchVector(Left(name, RANK_CHARS), config=self.config, weight="B")
        found = list(
            kind.model._default_manager.filter(pk__in=candidates)
            .annotate(search_rank=SearchRank(ranked, self.query), search_total=Subquery(total))
            .select_related(*_related(kind))
            .order_by("-search_rank", "-pk")[:limit]
        )
        return (found[0].search_total if found else 0), found

    def snippets(self, rows: list) -> dict:
        """The snippet of each row kept, (type name, id) → safe HTML: one query (ts_headline
        of each type's rows, united), the costly headlines for those rows only."""
        by_kind: dict[str, tuple[SearchType, list[int]]] = {}
        for kind, row in rows:
            by_kind.setdefault(kind.name, (kind, []))[1].append(row.pk)
        parts = [
            kind.model._default_manager.filter(pk__in=ids)
            .annotate(search_type=Value(name), search_headline=self._headline(kind))
            .values_list("search_type", "pk", "search_headline")
            .order_by()
            for name, (kind, ids) in by_kind.items()
        ]
        if not parts:
            return {}
        united = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return {(name, pk): marked(headline) for name, pk, headline in united}

    def _headline(self, kind: SearchType):
        # The title, then the body (see SEPARATOR): the fragments where the words are.
        text = _text(kind.title_fields)
        if kind.body_fields:
            body = NullIf(_text(kind.body_fields), Value(""), output_field=TextField())
            body = Concat(Value(SEPARATOR), body, output_field=TextField())
            body = Coalesce(body, Value(""), output_field=TextField())
            text = Concat(text, body, output_field=TextField())
        return SearchHeadline(
            Left(text, SNIPPET_CHARS), self.query, config=self.config, start_sel=START,
            stop_sel=STOP, max_fragments=2, max_words=20, min_words=8, fragment_delimiter=" … ",
        )  # fmt: skip


def marked(headline: str) -> SafeString:
    """A ts_headline snippet as safe HTML: all of it escaped (a `<script>` in a body is
    shown as text), then each match between the markers in <mark>."""
    text = escape(" ".join(headline.split()))
    text = MARKED.sub(r"<mark>\1</mark>", text)
    # Safe: the whole text was escaped, only the <mark> tags were added.
    return mark_safe(text.replace(START, "").replace(STOP, ""))  # nosec B308 B703


class AddSearchIndex(Operation):
    """Migration operation: the GIN index over a searchable model's `search_vector`, in the
    configuration of `search_config()`, on PostgreSQL only (SQLite has no GIN index and
    searches with the fallback). The fields must be those the app registers."""

    reversible = True
    reduces_to_sql = True  # sqlmigrate shows the CREATE INDEX (nothing on SQLite)

    def __init__(self, model_name: str, name: str, title_fields, body_fields=()):
        self.model_name = model_name
        self.name = name
        self.title_fields = tuple(title_fields)
        self.body_fields = tuple(body_fields)

    def index(self) -> GinIndex:
        vector = search_vector(self.title_fields, self.body_fields, search_config())
        return GinIndex(vector, name=self.name)

    def state_forwards(self, app_label, state):
        pass  # an index the models do not declare: nothing in the migration state

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.add_index(model, self.index())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.remove_index(model, self.index())

    def describe(self):
        return f"Create the search index {self.name} on {self.model_name} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.name.lower()


# The fallback: every word, in any case ---------------------------------------------------


def query_words(q: str) -> list[str]:
    """The words of a query (letters and digits; punctuation and search syntax dropped)."""
    return re.findall(r"\w+", q)[:MAX_WORDS]


def _any_field(fields: tuple[str, ...], word: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


class _Fallback:
    """Without PostgreSQL: the rows holding every word of the query in a title or body
    field (any case), ranked in the query: TITLE_SCORE for each word in the title,
    BODY_SCORE for each in the body, over the most a row can score (0 to 1)."""

    def __init__(self, q: str):
        self.words = query_words(q)

    def rows(self, kind: SearchType, rows: QuerySet, limit: int):
        """(how many of `rows` match, the best `limit`): one query."""
        if not self.words:
            return 0, []
        most = (TITLE_SCORE + (BODY_SCORE if kind.body_fields else 0)) * len(self.words)
        score = Value(0.0)
        for word in self.words:
            in_title = _any_field(kind.title_fields, word)
            in_body = _any_field(kind.body_fields, word)
            rows = rows.filter(in_title | in_body)
            score = score + Case(When(in_title, then=Value(TITLE_SCORE)), default=Value(0.0))
            if kind.body_fields:
                score = score + Case(When(in_body, then=Value(BODY_SCORE)), default=Value(0.0))
        found = list(
            rows.annotate(
                search_rank=score / Value(most, output_field=FloatField()),
                search_total=Window(Count("pk")),
            )
            .select_related(*_related(kind))
            .order_by("-search_rank", "-pk")[:limit]
        )
        return (found[0].search_total if found else 0), found

    def snippets(self, rows: list) -> dict:
        """The snippet of each row kept: its title, then its body (see SEPARATOR)."""
        found = {}
        for kind, row in rows:
            text = " ".join(str(getattr(row, name) or "") for name in kind.title_fields)
            body = " ".join(str(getattr(row, name) or "") for name in kind.body_fields).strip()
            text += SEPARATOR + body if body else ""
            found[kind.name, row.pk] = snippet(text, self.words)
        return found


def snippet(text: str, words: list[str], size: int = SNIPPET_WORDS) -> SafeString:
    """About `size` words of `text` around the first of `words` it holds (its start when it
    holds none), escaped, each occurrence of a word in <mark>."""
    tokens = text.split()
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)  # fmt: skip
    first = next((i for i, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, min(first - size // 3, len(tokens) - size))
    window = " ".join(tokens[start : start + size])
    parts, at = [], 0
    for match in pattern.finditer(window):
        parts += [escape(window[at : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        at = match.end()
    parts.append(escape(window[at:]))
    before = "… " if start > 0 else ""
    after = " …" if start + size < len(tokens) else ""
    # Safe: every part of the text was escaped, only the <mark> tags were added.
    return mark_safe(before + "".join(parts) + after)  # nosec B308 B703
