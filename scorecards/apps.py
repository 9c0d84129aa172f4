from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"

    def ready(self):
        from core.scoping import register_headed_units

        from .selectors.tree import headed_subtree_ids

        # The kernel's unit-head rules need the unit tree, which is this app's.
        register_headed_units(headed_subtree_ids)
