from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"

    def ready(self):
        from initiatives.funding import register_funding

        from .funding import InitiativeFunding

        # The initiatives pages show the money funding each initiative from these lines.
        register_funding(InitiativeFunding())
