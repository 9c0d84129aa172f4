"""The people pages."""

app_name = "people"

urlpatterns: list = []
