"""The strategy calendar pages."""

app_name = "calendar"

urlpatterns: list = []
