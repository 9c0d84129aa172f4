from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
        register_subjects()


def register_subjects() -> None:
    """Initiatives are what analyses and comments are about, month by month."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.subjects import SubjectKind, register_subject

    from .models import Initiative

    register_subject(SubjectKind(
        "initiative", _("initiative"), Initiative, lambda i: i.unit_id, lambda i: i.owner_id,
        lambda i: reverse("initiatives:detail", args=[i.pk]),
        lambda i: f"{i.unit.code}.{i.code} {i.name}", related=("unit",), monthly=True,
    ))  # fmt: skip
