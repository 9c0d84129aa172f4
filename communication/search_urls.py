"""The search page (communication/search_views.py), under `search/`."""

from django.urls import path

from . import search_views as views

urlpatterns = [
    path("", views.search_page, name="search"),
]
