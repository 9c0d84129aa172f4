"""The review meeting pages."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.MeetingCreate.as_view(), name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.MeetingEdit.as_view(), name="edit"),
    path("<int:pk>/delete/", views.MeetingDelete.as_view(), name="delete"),
    path("<int:pk>/briefing/", views.briefing, name="briefing"),
    path("<int:pk>/items/new/", views.ItemCreate.as_view(), name="item-new"),
    path("items/<int:pk>/edit/", views.ItemEdit.as_view(), name="item-edit"),
    path("items/<int:pk>/delete/", views.ItemDelete.as_view(), name="item-delete"),
]
