from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
        register_subjects()
        register_searches()


def register_subjects() -> None:
    """Action items are what comments are about."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.subjects import SubjectKind, register_subject

    from .models import ActionItem

    register_subject(SubjectKind(
        "action_item", _("action item"), ActionItem, lambda a: a.meeting.unit_id,
        lambda a: a.owner_id, lambda a: reverse("reviews:detail", args=[a.meeting_id]),
        lambda a: a.title, related=("meeting",),
    ))  # fmt: skip


def register_searches() -> None:
    """A meeting's decisions are found by the meeting's title and what it decided (only
    meetings that recorded decisions), action items by their title: the fields of their GIN
    indexes (migration 0005_search_indexes)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.scoping import restrict
    from core.search import SearchType, register_search

    from .models import ActionItem, ReviewMeeting

    register_search(SearchType(
        "decision", _("Decision"), ReviewMeeting, ("title",), ("decisions",), str,
        lambda m: reverse("reviews:detail", args=[m.pk]) + "#minutes-title",
        scope=lambda user: restrict(ReviewMeeting.objects.exclude(decisions=""), user),
    ))  # fmt: skip
    register_search(SearchType(
        "action_item", _("Action item"), ActionItem, ("title",), (), lambda a: a.title,
        lambda a: reverse("reviews:detail", args=[a.meeting_id]) + "#items-title",
    ))  # fmt: skip
