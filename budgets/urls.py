"""The budgets pages."""

from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_page, name="index"),
    path("lines/new/", views.LineCreate.as_view(), name="line-create"),
    path("lines/<int:pk>/edit/", views.LineEdit.as_view(), name="line-edit"),
    path("lines/<int:pk>/delete/", views.LineDelete.as_view(), name="line-delete"),
]
