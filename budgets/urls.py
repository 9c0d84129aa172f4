"""The budgets pages."""

app_name = "budgets"

urlpatterns: list = []
