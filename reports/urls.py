"""The report packs' pages: downloads, imports and subscriptions (namespace `reports`)."""

from django.urls import path

app_name = "reports"

urlpatterns: list = []
