from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
        register_subjects()
        register_searches()


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


def register_searches() -> None:
    """Initiatives are found by their code and name (the title) and their description (the
    body): the fields of their GIN index (migration 0003_search_indexes)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.search import SearchType, register_search

    from .models import Initiative

    register_search(SearchType(
        "initiative", _("Initiative"), Initiative, ("code", "name"), ("description",),
        lambda i: f"{i.unit.code}.{i.code} {i.name}",
        lambda i: reverse("initiatives:detail", args=[i.pk]), related=("unit",),
    ))  # fmt: skip
