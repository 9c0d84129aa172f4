"""Celery tasks of the dashboards: the enterprise dashboard's computed reads made again after
the data changed (core/versioning.py sends it), so its next visitor is served from the cache."""

from celery import shared_task

from alignment.selectors import cached_alignment_metrics
from scorecards.selectors import enterprise_unit
from scorecards.selectors.attention import cached_subtree_attention


@shared_task(name="osm.tasks.warm_caches", time_limit=600, soft_time_limit=570)
def warm_caches() -> bool:
    """Compute, for the data's current version, what the enterprise dashboard and the
    alignment page read from the cache: the attention list of the whole company and its
    alignment report. Nothing when there is no enterprise yet; safe to run twice (the
    second finds them cached)."""
    root = enterprise_unit()
    if root is None:
        return False
    cached_subtree_attention(root)
    cached_alignment_metrics(root)
    return True
