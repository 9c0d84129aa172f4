"""Pages of best practices, under `/practices/` (communication/practice_views.py)."""

from django.urls import path

from . import practice_views as views

urlpatterns = [
    path("", views.practice_list, name="practices"),
    path("new/", views.PracticeCreate.as_view(), name="practice-new"),
    path("objectives/", views.objectives_search, name="practice-objectives"),
    path("measures/", views.measures_search, name="practice-measures"),
    path("for-measure/<int:measure_pk>/", views.measure_suggestions, name="practice-suggestions"),
    path("<int:pk>/", views.practice_detail, name="practice"),
    path("<int:pk>/edit/", views.PracticeEdit.as_view(), name="practice-edit"),
    path("<int:pk>/delete/", views.PracticeDelete.as_view(), name="practice-delete"),
    path("<int:pk>/endorsement/", views.practice_endorsement, name="practice-endorsement"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="practice-attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="practice-attachment-remove",
    ),
]
