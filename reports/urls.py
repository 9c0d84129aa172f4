"""The report packs' pages: downloads, imports and subscriptions (namespace `reports`)."""

app_name = "reports"

urlpatterns: list = []
