"""Publishing versions of a unit's strategy map."""

from __future__ import annotations

from django.db import transaction

from core.clock import current_fiscal_year
from core.services import apply_changes, delete_or_explain, save_validated

from ..models import StrategyVersion
from ..selectors.versions import live_content

VERSION_FIELDS = {"name", "note"}


@transaction.atomic
def strategy_version_publish(*, actor, data: dict) -> StrategyVersion:
    """Publish a version of `data["unit"]`'s map as it stands (name, note; the targets of
    `fiscal_year`, the current one by default): a frozen copy the live map's later edits
    leave as it was. Who may publish (OSM staff, the unit's heads) is the caller's check."""
    unit = data["unit"]
    year = data.get("fiscal_year") or current_fiscal_year()
    named = {key: value for key, value in data.items() if key in VERSION_FIELDS}
    version = apply_changes(StrategyVersion(unit=unit, fiscal_year=year), named,
                            allowed=VERSION_FIELDS)  # fmt: skip
    version.published_by = actor
    version.content = live_content(unit, year)
    return save_validated(version, actor=actor)


@transaction.atomic
def strategy_version_update(*, actor, instance: StrategyVersion, data: dict) -> StrategyVersion:
    """Rename a version or change its note; its content never changes."""
    apply_changes(instance, data, allowed=VERSION_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def strategy_version_delete(*, actor, instance: StrategyVersion) -> None:
    """Withdraw a version (a review meeting that approved it keeps its name only)."""
    delete_or_explain(instance, actor=actor)
