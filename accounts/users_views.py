"""User management pages for the OSM staff (issue 18, item 4), under /accounts/users/:

- the list (`account-users`): search by name, username or e-mail, filter by role and
  whether active, 50 a page, each with the roles, the units headed and the last sign-in;
- a user's page (`account-user`): the roles (checkboxes) and the units headed (a search
  box), the account's state with its buttons (deactivate, reactivate, unlock a locked-out
  login, send the invitation again), the last sign-in and the sessions and API tokens held;
- a user's details (`account-user-edit`): username, name, e-mail;
- the invitation form (`account-user-invite`), and the page the invitation's link opens
  (`account-invitation`), where the invited person chooses a password.

Everything but the invitation's own page is the OSM staff's (`auth.change_user`): 403 for
anyone else, unit heads included (a unit head cannot grant roles). Thin: writes go through
accounts/services/users.py, reads through accounts/selectors/users.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import AuditKind, audit
from core.roles import role_label
from core.views import Crumb, ServiceFormView, require

from .invitations import invitation_tokens
from .selectors.users import (
    roles_of,
    user_access_counts,
    user_lockouts,
    users_listed,
    users_with_access,
)
from .services import users as services
from .users_forms import InviteForm, UserAccessForm, UserDetailsForm, UserFilterForm

MANAGE = "auth.change_user"
INVITE = "auth.add_user"
PAGE_SIZE = 50


def _name(user) -> str:
    return user.get_full_name() or user.username


def _crumbs(*after: Crumb) -> list[Crumb]:
    return [Crumb(_("Users"), reverse("account-users")), *after]


def _user_url(user) -> str:
    return reverse("account-user", args=[user.pk])


@login_required
@require_http_methods(["GET", "HEAD"])
def user_list(request):
    """`/accounts/users/`: the users matching the filters, by name, a page at a time (a
    fixed number of queries whatever the page holds)."""
    require(request.user, MANAGE)
    form = UserFilterForm(request.GET or None)
    status, page = 200, None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.cleaned_data if form.is_bound else {}
        rows = users_listed(
            query=filters.get("q", ""),
            role=filters.get("role", ""),
            active=filters.get("active", ""),
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for user in page.object_list:
            user.role_labels = [role_label(name) for name in roles_of(user)]
    context = {
        "crumbs": [Crumb(_("Users"))],
        "form": form,
        "page": page,
        "can_invite": request.user.has_perm(INVITE),
    }
    return render(request, "accounts/users/list.html", context, status=status)


class UserPage(ServiceFormView):
    """`/accounts/users/<id>/`: one user's account and, as a form, his or her roles and the
    units he or she heads (saved together: all or nothing)."""

    template_name = "accounts/users/detail.html"
    form_class = UserAccessForm
    permission = MANAGE
    submit_label = pgettext_lazy("button", "Save roles and units")
    novalidate = True

    def get_object(self):
        return get_object_or_404(users_with_access(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        if self.request.method != "POST":
            kwargs["initial"] = {
                "roles": roles_of(self.object),
                "units": [unit.pk for unit in self.object.headed_units.all()],
            }
        return kwargs

    def save(self, form):
        return services.user_access_set(
            user=self.object,
            roles=form.cleaned_data["roles"],
            units=form.cleaned_data["units"],
            by=self.request.user,
            request=self.request,
        )

    def extra_context(self, form) -> dict:
        user = self.object
        sessions, tokens = user_access_counts(user)
        return {
            "account": user,
            "roles": [role_label(name) for name in roles_of(user)],
            "headed": sorted(user.headed_units.all(), key=lambda unit: unit.code),
            "sessions": sessions,
            "tokens": tokens,
            "lockouts": user_lockouts(user),
            "invited": not user.has_usable_password() and user.last_login is None,
            "is_self": user.pk == self.request.user.pk,
        }

    def crumbs(self):
        return _crumbs(Crumb(_name(self.object)))

    def title(self):
        return _name(self.object)

    def cancel_url(self):
        return reverse("account-users")

    def success_url(self, saved):
        return _user_url(saved)

    def success_message(self, saved):
        return _("Saved the roles and units of %(name)s.") % {"name": _name(saved)}


class UserEdit(ServiceFormView):
    """`/accounts/users/<id>/edit/`: change the username, name or e-mail (two accounts with
    one address are refused, as single sign-on could not tell them apart)."""

    form_class = UserDetailsForm
    permission = MANAGE
    novalidate = True

    def get_object(self):
        return get_object_or_404(get_user_model(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        user = self.object
        kwargs["initial"] = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "email": user.email,
        }
        return kwargs

    def save(self, form):
        return services.user_update(
            user=self.object, data=form.cleaned_data, by=self.request.user, request=self.request
        )

    def crumbs(self):
        return _crumbs(Crumb(_name(self.object), _user_url(self.object)), Crumb(_("Edit")))

    def title(self):
        return _("Change the details of %(name)s") % {"name": _name(self.object)}

    def cancel_url(self):
        return _user_url(self.object)

    def success_url(self, saved):
        return _user_url(saved)

    def success_message(self, saved):
        return _("Saved the details of %(name)s.") % {"name": _name(saved)}


class UserInvite(ServiceFormView):
    """`/accounts/users/invite/`: create someone's account and mail him or her a link to
    choose a password."""

    form_class = InviteForm
    permission = INVITE
    submit_label = gettext_lazy("Send the invitation")
    novalidate = True

    @property
    def lead(self):
        return _(
            "The person gets an e-mail with a link to choose a password; the link works once "
            "and expires. The employee record with the same e-mail is linked to the account."
        )

    def save(self, form):
        data = form.cleaned_data
        return services.user_invite(
            email=data["email"],
            full_name=data["full_name"],
            roles=data["roles"],
            invited_by=self.request.user,
            request=self.request,
        )

    def crumbs(self):
        return _crumbs(Crumb(_("Invite")))

    def title(self):
        return _("Invite someone to OSM")

    def cancel_url(self):
        return reverse("account-users")

    def success_url(self, saved):
        return _user_url(saved)

    def success_message(self, saved):
        return _("Invited %(name)s (%(username)s): the invitation goes to %(email)s.") % {
            "name": _name(saved),
            "username": saved.username,
            "email": saved.email,
        }


def _act(request, pk: int, do, done: str):
    """A button of the user's page: `do(user)` through a service, then back to the page
    with what happened (or why not)."""
    require(request.user, MANAGE)
    user = get_object_or_404(users_with_access(), pk=pk)
    try:
        do(user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"name": _name(user)})
    return redirect(_user_url(user))


@require_POST
@login_required
def user_deactivate(request, pk: int):
    """Deactivate: no more sign-in; every session and API token ends at once."""

    def do(user):
        services.user_deactivate(user=user, by=request.user, request=request)

    done = _("Deactivated %(name)s: every session and API token has ended.")
    return _act(request, pk, do, done)


@require_POST
@login_required
def user_reactivate(request, pk: int):
    """Reactivate: the person may sign in again, with the roles he or she had."""

    def do(user):
        services.user_reactivate(user=user, by=request.user, request=request)

    return _act(request, pk, do, _("Reactivated %(name)s."))


@require_POST
@login_required
def user_unlock(request, pk: int):
    """End the login lockouts of the user's username, from every address."""

    def do(user):
        services.user_unlock(user=user, by=request.user, request=request)

    return _act(request, pk, do, _("Unlocked the login of %(name)s."))


@require_POST
@login_required
def user_invitation_resend(request, pk: int):
    """Mail a new invitation link to someone who has not chosen a password yet."""

    def do(user):
        services.user_invitation_resend(user=user, by=request.user, request=request)

    return _act(request, pk, do, _("Sent %(name)s a new invitation."))


class InvitationAccept(auth_views.PasswordResetConfirmView):
    """`/accounts/users/invitation/<uidb64>/<token>/`: the invited person chooses a password
    (Django's SetPasswordForm and the password validators), then signs in. As Django's
    password reset does, the token goes into the session and the page moves to an address
    without it, so it never reaches an access log or a Referer header. A used or expired
    link, or a deactivated account's, is a page that says so."""

    token_generator = invitation_tokens
    template_name = "accounts/users/invitation.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit(
            AuditKind.PASSWORD_CHANGED,
            request=self.request,
            actor=user,
            target=user,
            detail="invitation",
        )
        messages.success(
            self.request,
            _("Your password is set. Sign in with your username, %(username)s.")
            % {"username": user.username},
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invited"] = self.user if self.validlink else None
        return context
