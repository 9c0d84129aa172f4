from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Report packs: the PDF unit report and briefing book, the workbooks and the executive
    deck made from the same numbers as the pages; imports of value and scorecard workbooks;
    subscriptions that deliver packs by e-mail."""

    name = "reports"

    def ready(self):
        from .downloads import register

        # The pages' download menus (core/downloads.py): the apps below offer the hook.
        register()
