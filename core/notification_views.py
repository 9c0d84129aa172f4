"""The inbox pages (core/notifications.py): a person's notifications, a page at a time; the
header's unread count (fetched by htmx after the page, then once a minute, so no page pays
for it); opening one (marks it read and follows its link); marking all read; and how he or
she hears of each kind."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification, NotificationChannel
from .notifications import (
    inbox,
    notification_preference_set,
    notifications_read,
    preferences_of,
    unread_count,
)

PER_PAGE = 50


@login_required
def notifications_page(request):
    """The signed-in person's notifications, latest first (`?unread=1`: unread only)."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox(request.user, unread=unread_only), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread_only": unread_only, "unread": unread_count(request.user)}
    return render(request, "core/notifications.html", context)


@login_required
def notification_count(request):
    """The header's link to the inbox with the unread count (an htmx fragment)."""
    return render(request, "core/_inbox_link.html", {"unread": unread_count(request.user)})


@login_required
def notification_open(request, pk: int):
    """Mark one of the person's notifications read and follow its link (a path of this
    site; anything else stays on the inbox)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_read(actor=request.user, ids=[notification.pk])
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, {request.get_host()}):
        return redirect(url)
    return redirect("notifications")


@require_POST
@login_required
def notifications_read_all(request):
    """Mark every notification of the person read."""
    count = notifications_read(actor=request.user)
    messages.success(request, _("Marked %(count)s notifications read.") % {"count": count})
    return redirect("notifications")


class PreferencesForm(forms.Form):
    """A channel per kind of notification."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label, channel in preferences:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=NotificationChannel.choices, initial=channel
            )


@login_required
def notification_preferences(request):
    """How the person hears of each kind: in the app only, by e-mail at once, or in the
    daily digest."""
    preferences = preferences_of(request.user)
    form = PreferencesForm(request.POST or None, preferences=preferences)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            for kind, _label, channel in preferences:
                if form.cleaned_data[kind] != channel:
                    notification_preference_set(
                        actor=request.user, kind=kind, channel=form.cleaned_data[kind]
                    )
            messages.success(request, _("Saved how you hear of your notifications."))
            return redirect("notification-preferences")
        status = 400
    context = {"form": form, "has_email": bool(request.user.email)}
    return render(request, "core/notification_preferences.html", context, status=status)
