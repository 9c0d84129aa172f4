"""Comparing two versions of a strategy map (pure: two `content` dicts in, the differences
out; no ORM). A version's content, as `selectors.versions.live_content` reads it:

    {"unit": "IND", "fiscal_year": 2026,
     "perspectives": ["Financial", ...], "themes": ["Lean", ...],
     "objectives": [{"code": "IND.F_GM", "name": ..., "perspective": ..., "theme": ... | None,
                     "weight": "1", "supports": ["MERIDIAN.F_PROFIT", ...]}, ...],
     "links": [["IND.C_OTD", "IND.F_REV"], ...],
     "measures": [{"code": "IND.OTD", "objective": "IND.C_OTD", "name": ...,
                   "polarity": "increase", "frequency": "monthly", "weight": "1",
                   "targets": {"2026-01": "95.5", ...}}, ...]}

Objectives and measures are matched by code (`UNITCODE.CODE`): a code only in the newer
content is added, only in the older removed; one in both is changed when a field differs,
each such field given as [old, new] (a moved objective is a changed `perspective` or
`theme`, a re-weighted one a changed `weight`). A measure's changed targets are given by
period: {"2026-03": [old, new]} (None where a period has no target on one side). Arrows
are added or removed, never changed. Weights and targets are decimal strings compared as
numbers ("1.0" and "1" are the same weight).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

OBJECTIVE_FIELDS = ("name", "perspective", "theme", "weight", "supports")
MEASURE_FIELDS = ("name", "objective", "polarity", "frequency", "weight")


def _number(text):
    if text is None:
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return text


def _same(old, new) -> bool:
    if isinstance(old, list) or isinstance(new, list):
        return sorted(old or []) == sorted(new or [])
    return _number(old) == _number(new) if _is_number(old) and _is_number(new) else old == new


def _is_number(value) -> bool:
    return isinstance(_number(value), Decimal)


def _changed_fields(old: dict, new: dict, fields) -> dict:
    return {
        field: [old.get(field), new.get(field)]
        for field in fields
        if not _same(old.get(field), new.get(field))
    }


def _changed_targets(old: dict, new: dict) -> dict:
    periods = sorted(set(old) | set(new))
    return {
        period: [old.get(period), new.get(period)]
        for period in periods
        if _number(old.get(period)) != _number(new.get(period))
    }


def _compare_rows(old_rows: list[dict], new_rows: list[dict], fields, *, targets: bool):
    old = {row["code"]: row for row in old_rows}
    new = {row["code"]: row for row in new_rows}
    changed = []
    for code in sorted(set(old) & set(new)):
        differences = _changed_fields(old[code], new[code], fields)
        if targets:
            moved = _changed_targets(old[code].get("targets", {}), new[code].get("targets", {}))
            if moved:
                differences["targets"] = moved
        if differences:
            changed.append({"code": code, "fields": differences})
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": changed,
    }


def compare(older: dict, newer: dict) -> dict:
    """What changed from `older` to `newer` (see the module)."""
    old_links = {tuple(link) for link in older.get("links", [])}
    new_links = {tuple(link) for link in newer.get("links", [])}
    return {
        "objectives": _compare_rows(
            older.get("objectives", []), newer.get("objectives", []), OBJECTIVE_FIELDS,
            targets=False,
        ),
        "links": {
            "added": [list(link) for link in sorted(new_links - old_links)],
            "removed": [list(link) for link in sorted(old_links - new_links)],
        },
        "measures": _compare_rows(
            older.get("measures", []), newer.get("measures", []), MEASURE_FIELDS, targets=True
        ),
    }  # fmt: skip


def is_empty(difference: dict) -> bool:
    """No change at all."""
    return not any(part[key] for part in difference.values() for key in part)
