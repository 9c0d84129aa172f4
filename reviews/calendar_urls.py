"""The strategy calendar pages."""

from django.urls import path

from . import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event-delete"),
]
