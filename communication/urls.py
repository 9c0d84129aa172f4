"""The discussion pages (names without a namespace: `discussion`, `comment-post`...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("discuss/<str:kind>/<int:pk>/", views.discussion, name="discussion"),
    path("discuss/<str:kind>/<int:pk>/analysis/", views.analysis_post, name="analysis-post"),
    path("discuss/<str:kind>/<int:pk>/comments/", views.comment_post, name="comment-post"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
]
