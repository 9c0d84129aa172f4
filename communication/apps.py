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
