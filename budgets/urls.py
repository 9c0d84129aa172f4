"""The budgets pages."""

from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_page, name="index"),
    path("lines/new/", views.line_create, name="line-create"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line-edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line-delete"),
]
