"""The people pages: employees, their goals and incentive components, goal templates,
goal alignment per unit."""

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.employee_list, name="index"),
    path("<int:pk>/", views.employee_page, name="employee"),
    path("<int:pk>/goals/add/", views.goal_add, name="goal-add"),
    path("<int:pk>/incentives/add/", views.incentive_add, name="incentive-add"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal-delete"),
    path("incentives/<int:pk>/edit/", views.incentive_edit, name="incentive-edit"),
    path("incentives/<int:pk>/delete/", views.incentive_delete, name="incentive-delete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/add/", views.template_add, name="template-add"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
    path("templates/<int:pk>/apply/", views.template_apply, name="template-apply"),
    path("alignment/", views.alignment_page, name="alignment"),
]
