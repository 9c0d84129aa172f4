"""The initiatives pages."""

from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.InitiativeCreate.as_view(), name="new"),
    path("objectives/search/", views.objectives_search, name="objectives-search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.InitiativeEdit.as_view(), name="edit"),
    path("<int:pk>/delete/", views.InitiativeDelete.as_view(), name="delete"),
    path("<int:pk>/milestones/new/", views.MilestoneCreate.as_view(), name="milestone-new"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/edit/",
        views.MilestoneEdit.as_view(),
        name="milestone-edit",
    ),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.MilestoneDelete.as_view(),
        name="milestone-delete",
    ),
]
