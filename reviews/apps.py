from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
