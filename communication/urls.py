"""The communication app's pages (names without a namespace): discussions, announcements,
awareness pulses, practices and search."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("discuss/<str:kind>/<int:pk>/", views.discussion, name="discussion"),
    path("discuss/<str:kind>/<int:pk>/analysis/", views.analysis_post, name="analysis-post"),
    path("discuss/<str:kind>/<int:pk>/comments/", views.comment_post, name="comment-post"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("announcements/", include("communication.announcement_urls")),
    path("pulses/", include("communication.pulse_urls")),
    path("practices/", include("communication.practice_urls")),
    path("search/", include("communication.search_urls")),
]
