"""The initiatives pages."""

app_name = "initiatives"

urlpatterns: list = []
