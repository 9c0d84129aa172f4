from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
        register_subjects()


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
