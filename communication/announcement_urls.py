"""The announcement pages, under `/announcements/` (communication/announcement_views.py)."""

from django.urls import path

from . import announcement_views as views

urlpatterns = [
    path("", views.announcement_list, name="announcements"),
    path("new/", views.AnnouncementCreate.as_view(), name="announcement-new"),
    path("objectives/", views.objectives_search, name="announcement-objectives"),
    path("<int:pk>/", views.announcement_detail, name="announcement"),
    path("<int:pk>/edit/", views.AnnouncementEdit.as_view(), name="announcement-edit"),
    path("<int:pk>/delete/", views.AnnouncementDelete.as_view(), name="announcement-delete"),
    path("<int:pk>/reach/", views.announcement_reach, name="announcement-readers"),
]
