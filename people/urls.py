"""The people pages: employees, their goals and incentive components, goal templates,
goal alignment per unit."""

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.employee_list, name="index"),
    path("<int:pk>/", views.employee_page, name="employee"),
    path("<int:pk>/goals/add/", views.GoalCreate.as_view(), name="goal-add"),
    path("<int:pk>/incentives/add/", views.IncentiveCreate.as_view(), name="incentive-add"),
    path("goals/<int:pk>/edit/", views.GoalEdit.as_view(), name="goal-edit"),
    path("goals/<int:pk>/delete/", views.GoalDelete.as_view(), name="goal-delete"),
    path("incentives/<int:pk>/edit/", views.IncentiveEdit.as_view(), name="incentive-edit"),
    path("incentives/<int:pk>/delete/", views.IncentiveDelete.as_view(), name="incentive-delete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/add/", views.TemplateCreate.as_view(), name="template-add"),
    path("templates/<int:pk>/edit/", views.TemplateEdit.as_view(), name="template-edit"),
    path("templates/<int:pk>/delete/", views.TemplateDelete.as_view(), name="template-delete"),
    path("templates/<int:pk>/apply/", views.TemplateApply.as_view(), name="template-apply"),
    path("alignment/", views.alignment_page, name="alignment"),
]
