"""The awareness pulse pages, under `pulses/` (communication/urls.py)."""

from django.urls import path

from . import pulse_views as views

urlpatterns = [
    path("", views.pulse_list, name="pulse-list"),
    path("new/", views.PulseCreate.as_view(), name="pulse-new"),
    path("<int:pk>/edit/", views.PulseEdit.as_view(), name="pulse-edit"),
    path("<int:pk>/delete/", views.PulseDelete.as_view(), name="pulse-delete"),
    path("<int:pk>/answer/", views.pulse_answer, name="pulse-answer"),
    path("<int:pk>/results/", views.pulse_results, name="pulse-results"),
]
