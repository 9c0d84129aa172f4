from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self):
        from scorecards.services import register_unit_move_check

        from .services import broken_links_after_unit_move

        register_unit_move_check(broken_links_after_unit_move)
