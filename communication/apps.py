from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    """Analyses and recommendations per month, and comments with replies and mentions."""

    name = "communication"

    def ready(self):
        from scorecards.selectors.reporting import register_analysed_objectives

        from .selectors import analysed_objectives

        # The close checklist (scorecards, below this app) lists red objectives without
        # the month's analysis.
        register_analysed_objectives(analysed_objectives)
        register_searches()


def register_searches() -> None:
    """Practices and announcements are found by their title and their text: the fields of
    their GIN indexes (migration 0003_search_indexes)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.search import SearchType, register_search

    from .models import Announcement, Practice

    register_search(SearchType(
        "practice", _("Practice"), Practice, ("title",), ("body",), lambda p: p.title,
        lambda p: reverse("practice", args=[p.pk]),
    ))  # fmt: skip
    register_search(SearchType(
        "announcement", _("Announcement"), Announcement, ("title",), ("body",),
        lambda a: a.title, lambda a: reverse("announcement", args=[a.pk]),
    ))  # fmt: skip
