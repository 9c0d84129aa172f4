"""The dashboards app: the pages and reads that bring every app's figures together (the
unit dashboards, the objective page, an objective's cascade with its initiatives and
goals). It sits above every domain app and below the project's wiring."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from scorecards.selectors.updates import register_personal_goals

        from .selectors import personal_goals

        # "My updates" (scorecards) shows an employee her goals (people, above scorecards).
        register_personal_goals(personal_goals)
