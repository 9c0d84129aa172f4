"""The review meeting pages."""

app_name = "reviews"

urlpatterns: list = []
