"""URLs of accounts: each person's Security page (accounts/security_views.py), and the
password pages under Django's own names and paths (included before
django.contrib.auth.urls, so these win)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import security_views as views

urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/<int:user_id>/", views.security_user, name="security-user"),
    path(
        "security/<int:user_id>/end-all/",
        views.credentials_end_all_view,
        name="security-user-end-all",
    ),
    path("security/sessions/<int:pk>/end/", views.session_end_view, name="security-session-end"),
    path(
        "security/sessions/end-others/",
        views.sessions_end_others_view,
        name="security-sessions-end-others",
    ),
    path("security/tokens/new/", views.token_new, name="security-token-new"),
    path(
        "security/tokens/<str:key>/revoke/", views.token_revoke_view, name="security-token-revoke"
    ),
    # Django's names and paths (django.contrib.auth.urls), the app's views.
    path("password_change/", views.PasswordChange.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", views.PasswordReset.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
