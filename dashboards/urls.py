"""The dashboards' pages: the enterprise's at /, each unit's, the unit picker and the
objective page, the page signing in leads to and "my strategy"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_pick, name="unit-pick"),
    path("units/<str:code>/", views.dashboard, name="unit"),
    path("objectives/<int:pk>/", views.objective_page, name="objective"),
    path("start/", views.landing, name="landing"),
    path("my/strategy/", views.my_strategy, name="my-strategy"),
]
