"""The strategy calendar pages."""

from django.urls import path

from . import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/new/", views.EventCreate.as_view(), name="event-new"),
    path("events/<int:pk>/edit/", views.EventEdit.as_view(), name="event-edit"),
    path("events/<int:pk>/delete/", views.EventDelete.as_view(), name="event-delete"),
]
