"""Backup and restore (`export_osm`, `import_osm`, core/backup/).

The demo company is seeded once for the module, read (every unit's scorecard, the
alignment reports, every row of every backed-up table) and exported; then its transaction
is rolled back, so each test starts from an empty, freshly migrated database and the file,
which is what a restore onto a new server looks like. The expectation is always "the same
as before the export", read through the same selectors the pages use.
"""

import dataclasses
import gzip
import io
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken

from alignment.selectors import alignment_report
from core.backup import FORMAT_VERSION, backup_models, existing_data, export, import_
from core.models import DataVersion
from core.versioning import data_version
from devtools.demo import DEMO_PASSWORD, DEMO_ROOT_CODE
from scorecards.models import MeasureValue, OrgUnit, Perspective
from scorecards.selectors.scorecard import unit_scorecard

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def plain(value):
    """A selector's answer as plain data: dataclasses as dicts, model instances as their
    label and id (the ids come back unchanged: that is part of what is checked)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def numbers() -> dict:
    """What people see: every unit's scorecard (this month and year to date), and the
    alignment report of the enterprise and of each business unit."""
    units = list(OrgUnit.objects.order_by("code"))
    return {
        "scorecards": {
            unit.code: [
                plain(unit_scorecard(unit, as_of=TODAY, today=TODAY)),
                plain(unit_scorecard(unit, as_of=TODAY, ytd=True, today=TODAY)),
            ]
            for unit in units
        },
        "alignment": {
            unit.code: plain(alignment_report(unit, today=TODAY))
            for unit in units
            if unit.kind in ("enterprise", "business")
        },
    }


def dataset(*, with_tokens=False) -> dict:
    """Every row of every backed-up table, in id order (timestamps to the microsecond),
    and Django's many-to-many tables as sets of pairs (their own ids mean nothing)."""
    rows = {}
    for model in backup_models(with_tokens=with_tokens):
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                pair = (f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id")
                rows[through._meta.label] = sorted(through.objects.values_list(*pair))
    return rows


def history_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in backup_models()
        if model.__name__.startswith("Historical")
    }


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's file (plain and gzip) and what it looked like, on an empty database."""
    folder = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock(), transaction.atomic():
        run("seed_demo", "--yes")
        before = SimpleNamespace(
            numbers=numbers(),
            dataset=dataset(),
            history=history_counts(),
            passwords=dict(get_user_model().objects.values_list("username", "password")),
        )
        plain_file, gz_file = folder / "demo.jsonl", folder / "demo.jsonl.gz"
        before.export_output = run("export_osm", plain_file)
        run("export_osm", gz_file)
        transaction.set_rollback(True)
    return SimpleNamespace(plain=plain_file, gz=gz_file, before=before, folder=folder)


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


# ---------------------------------------------------------------- the round trip


@pytest.mark.parametrize("which", ["plain", "gz"])
def test_the_demo_comes_back_identical_into_an_empty_database(exported, which):
    before = exported.before
    assert existing_data() == {}  # freshly migrated: roles, perspectives, schedules only
    version_before = data_version()

    output = run("import_osm", getattr(exported, which))

    assert "models loaded from" in output
    assert numbers() == before.numbers
    assert dataset() == before.dataset
    assert history_counts() == before.history
    # Not an empty comparison: the demo's history is there, and so are its scores.
    assert before.history["scorecards.HistoricalMeasureValue"] > 1000
    scores = [card[0]["score"] for card in before.numbers["scorecards"].values()]
    assert sum(score is not None for score in scores) >= 10
    enterprise = before.numbers["alignment"][DEMO_ROOT_CODE]["metrics"]
    assert enterprise["alignment_index"] is not None
    assert enterprise["data_timeliness"] is not None  # read from the change history

    # Users log in with their own passwords: the hashes came back unchanged.
    users = get_user_model().objects
    assert dict(users.values_list("username", "password")) == before.passwords
    login = RequestFactory().post("/accounts/login/")
    assert authenticate(login, username="osm", password=DEMO_PASSWORD) is not None
    assert authenticate(login, username="osm", password="wrong") is None
    assert set(users.get(username="osm").groups.values_list("name", flat=True)) == {"OSM staff"}

    # Caches cannot serve reports of before the import (a new epoch), and new rows get
    # ids after the restored ones (the sequences were reset).
    assert data_version() != version_before
    assert data_version().split("-")[0] != version_before.split("-")[0]
    highest = MeasureValue.objects.order_by("-pk").values_list("pk", flat=True)[0]
    extra = Perspective.objects.create(name="Mission", order=9)
    assert extra.pk > max(Perspective.objects.exclude(pk=extra.pk).values_list("pk", flat=True))
    value = MeasureValue.objects.first()
    copy = MeasureValue.objects.create(
        measure=value.measure, period=value.period.replace(year=value.period.year - 50), target=1
    )
    assert copy.pk == highest + 1


def test_the_header_says_what_the_file_holds(exported):
    header = json.loads(lines_of(exported.plain)[0])
    assert header["format"] == "osm-export"
    assert header["format_version"] == FORMAT_VERSION
    assert header["database"]["vendor"] in ("sqlite", "postgresql")
    assert header["api_tokens"] is False
    counts = header["counts"]
    # One line per row after the header, as many as the header announces.
    assert sum(counts.values()) == len(lines_of(exported.plain)) - 1
    assert counts["auth.user"] == len(exported.before.passwords)
    assert (
        counts["scorecards.historicalmeasurevalue"]
        == (exported.before.history["scorecards.HistoricalMeasureValue"])
    )
    assert header["migrations"]["scorecards"][0] == "0001_initial"
    with gzip.open(exported.gz, "rt") as gz:
        assert json.loads(gz.readline())["counts"] == counts
    assert f"{sum(counts.values()):,} rows" in exported.before.export_output
    # Password hashes and pay links inside: readable by its owner only.
    assert os.stat(exported.plain).st_mode & 0o777 == 0o600


def test_what_a_backup_holds_and_leaves_out():
    labels = {model._meta.label_lower for model in backup_models()}
    for app in ("osm", "scorecards", "initiatives", "budgets", "people", "reviews", "alignment"):
        ours = {m._meta.label_lower for m in apps.get_app_config(app).get_models()}
        assert ours - {"osm.dataversion"} <= labels, app
    assert {"auth.user", "auth.group", "admin.logentry", "osm.outgoingmessage"} <= labels
    assert "django_celery_beat.periodictask" in labels
    assert not labels & {
        "sessions.session",
        "contenttypes.contenttype",
        "auth.permission",
        "osm.dataversion",
        "knox.authtoken",
    }
    assert "knox.authtoken" in {m._meta.label_lower for m in backup_models(with_tokens=True)}
    # Rows are placed after the rows they refer to.
    order = [m._meta.label_lower for m in backup_models()]
    assert order.index("auth.user") < order.index("scorecards.orgunit")
    assert order.index("scorecards.objective") < order.index("scorecards.measure")
    assert order.index("scorecards.measure") < order.index("scorecards.measurevalue")
    assert order.index("django_celery_beat.crontabschedule") < order.index(
        "django_celery_beat.periodictask"
    )


# ---------------------------------------------------------------- refusals and --replace


def test_a_database_with_data_is_refused_unless_replace(exported):
    run("import_osm", exported.plain)
    unit = OrgUnit.objects.get(code=DEMO_ROOT_CODE)
    unit.name = "Changed after the backup"
    unit.save()
    user = get_user_model().objects.create_user("newcomer", password="x")
    Session.objects.create(session_key="k" * 32, session_data="x", expire_date=timezone.now())
    AuthToken.objects.create(user)

    with pytest.raises(CommandError, match=r"already holds data .*pass --replace"):
        run("import_osm", exported.plain)
    assert OrgUnit.objects.get(code=DEMO_ROOT_CODE).name == "Changed after the backup"

    run("import_osm", exported.plain, "--replace")
    assert dataset() == exported.before.dataset
    assert numbers() == exported.before.numbers
    assert not get_user_model().objects.filter(pk=user.pk, username="newcomer").exists()
    # Sessions and API tokens named users by id: they are gone with them.
    assert not Session.objects.exists()
    assert not AuthToken.objects.exists()


def test_api_tokens_only_when_asked(exported, tmp_path):
    run("import_osm", exported.plain)
    user = get_user_model().objects.get(username="osm")
    instance, _ = AuthToken.objects.create(user)
    run("export_osm", tmp_path / "with.jsonl", "--with-api-tokens")
    run("export_osm", tmp_path / "without.jsonl")

    run("import_osm", tmp_path / "without.jsonl", "--replace")
    assert not AuthToken.objects.exists()
    run("import_osm", tmp_path / "with.jsonl", "--replace")
    restored = AuthToken.objects.get()
    assert (restored.digest, restored.user_id, restored.expiry) == (
        instance.digest,
        user.pk,
        instance.expiry,
    )


def test_permissions_are_named_not_numbered(exported, tmp_path):
    """Permission ids differ between databases (migrations number them): the file names
    them, and the import finds them by name here."""
    run("import_osm", exported.plain)
    permission = Permission.objects.get(codename="view_objective")
    get_user_model().objects.get(username="hr").user_permissions.add(permission)
    Group.objects.get(name="Executive").permissions.add(permission)
    run("export_osm", tmp_path / "perms.jsonl")
    rows = [json.loads(line) for line in lines_of(tmp_path / "perms.jsonl")[1:]]
    hr = next(r for r in rows if r["model"] == "auth.user" and r["fields"]["username"] == "hr")
    assert hr["fields"]["user_permissions"] == [["view_objective", "scorecards", "objective"]]

    # Here the permission has another id than where the file was written.
    permission.delete()
    renumbered = Permission.objects.create(
        codename="view_objective", name="Can view objective", content_type=permission.content_type
    )
    run("import_osm", tmp_path / "perms.jsonl", "--replace")
    assert list(get_user_model().objects.get(username="hr").user_permissions.all()) == [renumbered]
    assert list(Group.objects.get(name="Executive").permissions.all()) == [renumbered]


def test_export_never_overwrites_by_accident(exported, tmp_path):
    target = tmp_path / "kept.jsonl"
    target.write_text("yesterday's backup")
    with pytest.raises(CommandError, match="exists already; pass --force"):
        run("export_osm", target)
    assert target.read_text() == "yesterday's backup"
    run("export_osm", target, "--force")
    assert json.loads(lines_of(target)[0])["format"] == "osm-export"
    assert not list(tmp_path.glob("*.partial"))


def test_through_a_pipe(exported, monkeypatch):
    """FILE "-": out of and into a container without a shared folder."""
    run("import_osm", exported.plain)
    piped = io.BytesIO()
    export("-", stdout=piped)
    data = piped.getvalue()
    # The same rows as the file, in the same order: only the header's time differs.
    assert data.decode().splitlines()[1:] == lines_of(exported.plain)[1:]

    import_("-", replace=True, stdin=io.BytesIO(gzip.compress(data)))
    assert dataset() == exported.before.dataset
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert "loaded from the standard input" in run("import_osm", "-", "--replace")
    assert dataset() == exported.before.dataset


# ---------------------------------------------------------------- bad files


def header_and_rows(exported) -> tuple[dict, list[str]]:
    lines = lines_of(exported.plain)
    return json.loads(lines[0]), lines[1:]


def first_row(rows, model) -> int:
    return next(i for i, line in enumerate(rows) if f'"model": "{model}"' in line)


def header_cases(exported, folder):
    header, rows = header_and_rows(exported)

    def with_header(name, **changes):
        return write(folder / name, [json.dumps({**header, **changes}), *rows])

    cut = exported.gz.read_bytes()
    (folder / "cut.jsonl.gz").write_bytes(cut[: len(cut) // 2])
    (folder / "binary").write_bytes(b"\x00\xff\xfe garbage")
    return {
        "not JSON": (write(folder / "notes.txt", ["hello"]), "its first line is not JSON"),
        "empty": (write(folder / "empty", [""]), "its first line is not JSON"),
        "JSON but no header": (write(folder / "list.json", ["[1, 2]"]), 'no "format"'),
        "not UTF-8": (folder / "binary", "not an OSM export"),
        "missing": (folder / "nowhere.jsonl", "no such file"),
        "another format version": (
            with_header("v99", format_version=99),
            "export format version 99; this OSM .* reads version 1",
        ),
        "an unknown model": (
            with_header("unknown", counts={**header["counts"], "shop.widget": 1}),
            "unknown model\\(s\\) shop.widget",
        ),
        "sessions": (
            with_header("sessions", counts={**header["counts"], "sessions.session": 1}),
            "unknown model\\(s\\) sessions.session",
        ),
        "another schema": (
            with_header(
                "schema",
                migrations={
                    **header["migrations"],
                    "scorecards": [*header["migrations"]["scorecards"], "0099_future"],
                },
            ),
            "another database schema .*scorecards: the file has 0099_future not applied here",
        ),
        "damaged counts": (with_header("counts", counts=[1]), "row counts are missing"),
        "damaged migrations": (with_header("migr", migrations="all"), "migrations is missing"),
        "a cut gzip file": (folder / "cut.jsonl.gz", "cannot be read"),
    }


def test_bad_headers_are_refused_before_anything_is_touched(exported, tmp_path):
    kept = get_user_model().objects.create_user("kept", password="x")
    for name, (path, message) in header_cases(exported, tmp_path).items():
        with pytest.raises(CommandError, match=message):
            run("import_osm", path, "--replace")
        assert get_user_model().objects.filter(pk=kept.pk).exists(), name


def row_cases(exported, folder):
    header, rows = header_and_rows(exported)
    head = json.dumps(header)
    value = first_row(rows, "scorecards.measurevalue")

    def changed(index, edit):
        row = json.loads(rows[index])
        edit(row)
        return [*rows[:index], json.dumps(row), *rows[index + 1 :]]

    def set_field(name, text):
        return lambda row: row["fields"].__setitem__(name, text)

    def rename(model):
        return lambda row: row.__setitem__("model", model)

    return {
        "a damaged line": (
            [*rows[:value], rows[value][:40], *rows[value + 1 :]],
            f"line {value + 2}: not JSON",
        ),
        "a row of an unknown model": (
            changed(value, rename("shop.widget")),
            f"line {value + 2}: rows of 'shop.widget' are not part of this backup",
        ),
        "a session row": (
            changed(value, rename("sessions.session")),
            "rows of 'sessions.session' are not part of this backup",
        ),
        "a bad date": (
            changed(value, set_field("period", "someday")),
            f"line {value + 2}: a row does not fit this database",
        ),
        "an unknown field": (
            changed(value, set_field("colour", "red")),
            "a row does not fit this database",
        ),
        "a row twice": (
            [*rows[: value + 1], rows[value], *rows[value + 1 :]],
            "refused by the database",
        ),
        "a row pointing nowhere": (
            changed(value, set_field("measure", 999_999)),
            "rows do not fit together",
        ),
        "a truncated file": (
            rows[:-50],
            "does not hold the rows its header announces",
        ),
    }, head


def test_a_bad_row_leaves_the_database_as_it_was(exported, tmp_path):
    """All or nothing: each file fails after the tables were cleared and rows loaded,
    and the database still holds exactly what it held."""
    run("import_osm", exported.plain)
    unit = OrgUnit.objects.get(code=DEMO_ROOT_CODE)
    unit.name = "Changed after the backup"
    unit.save()
    held = dataset()
    version = data_version()
    cases, head = row_cases(exported, tmp_path)
    for name, (rows, message) in cases.items():
        path = write(tmp_path / f"{name}.jsonl", [head, *rows])
        with pytest.raises(CommandError, match=message):
            run("import_osm", path, "--replace")
        assert dataset() == held, name
        assert data_version() == version, name


def test_the_exit_status_and_message_of_a_refusal(tmp_path):
    """As an operator sees it: a non-zero exit and the reason, nothing else touched."""
    bad = write(tmp_path / "notes.txt", ["hello"])
    result = subprocess.run(
        [sys.executable, "manage.py", "import_osm", str(bad)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "is not an OSM export: its first line is not JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_data_version_row_is_not_in_the_file(exported):
    assert '"model": "osm.dataversion"' not in exported.plain.read_text()
    run("import_osm", exported.plain)
    assert DataVersion.objects.count() == 1
