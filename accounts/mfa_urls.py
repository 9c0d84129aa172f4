"""The second-factor pages, under /accounts/two-factor/ (accounts/mfa_views.py)."""

from django.urls import path

from . import mfa_views as views

urlpatterns = [
    path("two-factor/", views.mfa_status, name="mfa"),
    path("two-factor/setup/", views.mfa_setup, name="mfa-setup"),
    path("two-factor/verify/", views.mfa_verify, name="mfa-verify"),
    path("two-factor/recovery-codes/", views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("two-factor/remove/", views.mfa_remove, name="mfa-remove"),
    path("two-factor/users/<int:pk>/remove/", views.mfa_user_remove, name="mfa-user-remove"),
]
