"""The initiatives pages."""

from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone-new"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/edit/",
        views.milestone_edit,
        name="milestone-edit",
    ),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="milestone-delete",
    ),
]
