"""User management for the OSM staff, under /accounts/users/ (accounts/users_views.py), and
the page an invitation's link opens. The names are `account-*`: the API's router has
`user-list` and `user-detail`."""

from django.urls import path

from . import users_views as views

urlpatterns = [
    path("", views.user_list, name="account-users"),
    path("invite/", views.UserInvite.as_view(), name="account-user-invite"),
    path("<int:pk>/", views.UserPage.as_view(), name="account-user"),
    path("<int:pk>/edit/", views.UserEdit.as_view(), name="account-user-edit"),
    path("<int:pk>/deactivate/", views.user_deactivate, name="account-user-deactivate"),
    path("<int:pk>/reactivate/", views.user_reactivate, name="account-user-reactivate"),
    path("<int:pk>/unlock/", views.user_unlock, name="account-user-unlock"),
    path(
        "<int:pk>/invitation/",
        views.user_invitation_resend,
        name="account-user-invitation-resend",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAccept.as_view(),
        name="account-invitation",
    ),
]
