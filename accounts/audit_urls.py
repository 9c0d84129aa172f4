"""The security audit log's page, under /accounts/audit/ (accounts/audit_views.py)."""

from django.urls import path

from . import audit_views as views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
]
