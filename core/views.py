"""The view kit every app's pages are built from: a page that creates or changes one row
through a service, a page that deletes one (asking first), the permission check they share
and the breadcrumbs above them.

A service's refusal (ValidationError) is shown where it belongs: on the form, each message
next to its field or at the top (core/forms.py), or above the delete button; the page is
then answered with 400 and nothing was written (the services run in one transaction).
Permissions are asked of the rules by name, with the object the write is about (for a new
row, the parent it goes into), so a page allows exactly what the API allows.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext, pgettext_lazy
from django.views import View

from .forms import add_service_errors
from .roles import ROLES, has_role, role_label
from .scoping import HeadsUnit, Owner, Role, access_of

NO_ROLE = gettext_lazy("You have no role in OSM yet: ask the OSM staff for one.")
NOT_HERE = gettext_lazy("You may not do this here.")
NOT_ALLOWED = gettext_lazy("You may not do this.")


def require(user, permission: str, obj=None) -> None:
    """Refuse (403) unless `user` has `permission` (on `obj`, or anywhere), saying who may
    (the 403 page shows it)."""
    if not user.has_perm(permission, obj):
        if not has_role(user, *ROLES):
            raise PermissionDenied(str(NO_ROLE))
        refusal = NOT_HERE if obj is not None else NOT_ALLOWED
        raise PermissionDenied(" ".join(filter(None, [str(refusal), who_may(permission)])))


# Who may do an action to a thing, one whole sentence per action and way of saying it (the
# English article depends on the model's English name: "a unit", "an objective").
# (action, article): (only those named, anyone with a role, no one)
WHO_MAY = {
    ("view", "a"): (
        gettext_lazy("Only %(who)s may see a %(model)s."),
        gettext_lazy("Anyone with a role in OSM may see a %(model)s."),
        gettext_lazy("No one may see a %(model)s here."),
    ),
    ("view", "an"): (
        gettext_lazy("Only %(who)s may see an %(model)s."),
        gettext_lazy("Anyone with a role in OSM may see an %(model)s."),
        gettext_lazy("No one may see an %(model)s here."),
    ),
    ("add", "a"): (
        gettext_lazy("Only %(who)s may add a %(model)s."),
        gettext_lazy("Anyone with a role in OSM may add a %(model)s."),
        gettext_lazy("No one may add a %(model)s here."),
    ),
    ("add", "an"): (
        gettext_lazy("Only %(who)s may add an %(model)s."),
        gettext_lazy("Anyone with a role in OSM may add an %(model)s."),
        gettext_lazy("No one may add an %(model)s here."),
    ),
    ("change", "a"): (
        gettext_lazy("Only %(who)s may change a %(model)s."),
        gettext_lazy("Anyone with a role in OSM may change a %(model)s."),
        gettext_lazy("No one may change a %(model)s here."),
    ),
    ("change", "an"): (
        gettext_lazy("Only %(who)s may change an %(model)s."),
        gettext_lazy("Anyone with a role in OSM may change an %(model)s."),
        gettext_lazy("No one may change an %(model)s here."),
    ),
    ("delete", "a"): (
        gettext_lazy("Only %(who)s may delete a %(model)s."),
        gettext_lazy("Anyone with a role in OSM may delete a %(model)s."),
        gettext_lazy("No one may delete a %(model)s here."),
    ),
    ("delete", "an"): (
        gettext_lazy("Only %(who)s may delete an %(model)s."),
        gettext_lazy("Anyone with a role in OSM may delete an %(model)s."),
        gettext_lazy("No one may delete an %(model)s here."),
    ),
}
ANYONE = gettext_lazy("anyone with a role in OSM")


def _either(words: list[str], comma: bool = True, nested: bool = False) -> str:
    """'a', 'a or b', 'a, b, or c' (in English the last comma with `comma`, when there are
    more than two or when one of them, `nested`, has an "or" of its own)."""
    if len(words) < 2:
        return "".join(words)
    parts = {"items": ", ".join(words[:-1]), "last": words[-1]}
    if comma and len(words) > 2:
        return pgettext("list of alternatives, serial comma", "%(items)s, or %(last)s") % parts
    if comma and nested:
        return (
            pgettext("list of alternatives, one with an “or” of its own", "%(items)s, or %(last)s")
            % parts
        )
    return pgettext("list of alternatives", "%(items)s or %(last)s") % parts


def _article(name: str) -> str:
    """The English indefinite article of `name`: "an objective", "a user", "a unit"."""
    return "an" if name[0] in "aeiou" and not name.startswith(("us", "uni")) else "a"


def _quoted(name: str) -> str:
    return pgettext("a quoted name", "“%(name)s”") % {"name": name}


def _who(grants) -> tuple[list[str], bool]:
    """The people `grants` name, in words (the roles of every Role grant together), and
    whether one of them is itself a list with an "or"."""
    roles = [name for g in grants if isinstance(g, Role) for name in g.names]
    who, nested = [], False
    if set(roles) >= set(ROLES):
        who.append(str(ANYONE))
    elif roles:
        names = [_quoted(role_label(name)) for name in dict.fromkeys(roles)]
        nested = len(names) > 1
        who.append(_("people with the role %(roles)s") % {"roles": _either(names, comma=False)})
    for grant in grants:
        if isinstance(grant, HeadsUnit):
            who.append(_("the head of the unit (or of a unit above it)"))
        elif isinstance(grant, Owner):
            who.append(
                _("the owner (with the role %(role)s)") % {"role": _quoted(role_label(grant.role))}
                if grant.role
                else _("the owner")
            )
    return who, nested


def who_may(permission: str) -> str:
    """Who is granted `permission` ("app.action_model"), in a sentence made from the model's
    access declaration (core/policies.py), e.g. "Only people with the role “OSM staff” or
    the head of the unit (or of a unit above it) may change an objective." Empty when the
    permission is not one of the declared models'."""
    app_label, _sep, codename = permission.partition(".")
    action, _sep, model_name = codename.partition("_")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return ""
    access = access_of(model)
    if access is None or (action, "a") not in WHO_MAY:
        return ""
    with override("en"):
        article = _article(str(model._meta.verbose_name))
    only, anyone, no_one = WHO_MAY[action, article]
    name = str(model._meta.verbose_name)
    who, nested = _who(access.policy.grants(action))
    if not who:
        return str(no_one) % {"model": name}
    if who == [str(ANYONE)]:
        return str(anyone) % {"model": name}
    return str(only) % {"who": _either(who, nested=nested), "model": name}


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumbs: a label, and a link unless it is the page itself."""

    label: str
    url: str | None = None


class _ServicePage(View):
    """What both kit pages share: sign-in, the methods it answers, the object, the
    permission asked about it (in that order: a method it does not answer is a 405 before
    anything is looked up)."""

    permission: str = ""
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.object = self.get_object()
        require(request.user, self.permission, self.permission_object())
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        """The row the page is about (None for a new one)."""
        return None

    def permission_object(self):
        """The object the permission is asked about: the row itself, or for a new row the
        parent it goes into (None: anywhere)."""
        return self.object

    def crumbs(self) -> list[Crumb]:
        return []

    def render(self, context: dict, status: int = 200):
        context = {"view": self, "crumbs": self.crumbs(), **context}
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def done(self, message: str, url: str):
        messages.success(self.request, message)
        return redirect(url)


class ServiceFormView(_ServicePage):
    """A page with a form that creates or changes one row through a service.

    Subclasses set `form_class`, `permission` and `service` (and `parent_field` when a new
    row goes into `self.parent`), and say where to go after (`success_url`), what to say
    (`success_message`) and the page's words (`title`, `cancel_url`, `submit_label`,
    `lead`); `service_data` or `save` when the service is told more. A form that refuses, or a
    service that refuses, shows the form again with the messages, answered with 400.
    """

    template_name = "core/form.html"
    form_class = None
    # The service that saves: thing_create for a new row, thing_update for a stored one.
    service = None
    # For a new row, the field `data` names its parent with (set `self.parent`).
    parent_field = ""
    submit_label = pgettext_lazy("button", "Save")
    lead = ""
    # True: the server alone checks what is typed (the browser's own checks would refuse a
    # decimal comma or a blank without saying what the field expects).
    novalidate = False

    def get_form_kwargs(self) -> dict:
        kwargs = {}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        if issubclass(self.form_class, ModelForm) and self.object is not None:
            # A copy: on a refusal the page still shows the row as it is stored.
            kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                saved = self.save(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.done(self.success_message(saved), self.success_url(saved))
        return self.render_form(form, status=400)

    def render_form(self, form, status: int = 200):
        context = {
            "form": form,
            "title": self.title(),
            "lead": self.lead,
            "cancel_url": self.cancel_url(),
            "submit_label": self.submit_label,
            "novalidate": self.novalidate,
            **self.extra_context(form),
        }
        return self.render(context, status=status)

    def extra_context(self, form) -> dict:
        return {}

    def save(self, form):
        """Call the service with the form's data (`service_data`); returns the row saved. A
        new row: `service(actor=, data=)`; a stored one: `service(actor=, instance=, data=)`
        with the form's copy of the row."""
        data, actor = self.service_data(form), self.request.user
        if self.object is None:
            return type(self).service(actor=actor, data=data)
        instance = getattr(form, "instance", None) or copy.copy(self.object)
        return type(self).service(actor=actor, instance=instance, data=data)

    def service_data(self, form) -> dict:
        """What the service is told: the form's data and, for a new row, its parent."""
        data = dict(form.cleaned_data)
        if self.object is None and self.parent_field:
            data[self.parent_field] = self.parent
        return data

    def title(self) -> str:
        raise NotImplementedError

    def cancel_url(self) -> str:
        raise NotImplementedError

    def success_url(self, saved) -> str:
        raise NotImplementedError

    def success_message(self, saved) -> str:
        return _("Saved %(object)s.") % {"object": saved}


class ServiceDeleteView(_ServicePage):
    """A page that asks, then (POST) deletes one row through a service; a refusal (what
    still depends on it) is shown above the button, answered with 400.

    Subclasses set `permission` and `service`, and give `success_url`, `success_message` and
    the page's words: `title` (the question), `question` (what goes, and whether it can be
    undone) and optionally `details` (a line describing the row). `http_method_names =
    ["post"]` makes it a button that deletes at once (a 405 to a GET).
    """

    template_name = "core/confirm_delete.html"
    service = None  # thing_delete(*, actor, instance)

    def get(self, request, *args, **kwargs):
        return self.render_confirm()

    def post(self, request, *args, **kwargs):
        try:
            self.delete(self.object)
        except ValidationError as exc:
            if self.http_method_names == ["post"]:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(self.back_url())
            return self.render_confirm(error=" ".join(exc.messages), status=400)
        return self.done(self.success_message(self.object), self.success_url(self.object))

    def render_confirm(self, error: str | None = None, status: int = 200):
        context = {
            "title": self.title(),
            "question": self.question(),
            "details": self.details(),
            "back": self.back_url(),
            "error": error,
        }
        return self.render(context, status=status)

    def delete(self, obj) -> None:
        type(self).service(actor=self.request.user, instance=obj)

    def title(self) -> str:
        return _("Delete %(object)s?") % {"object": self.object}

    def question(self) -> str:
        return _("Its change history is kept. This cannot be undone from here.")

    def details(self) -> str:
        return ""

    def back_url(self) -> str:
        raise NotImplementedError

    def success_url(self, deleted) -> str:
        return self.back_url()

    def success_message(self, deleted) -> str:
        return _("Deleted %(object)s.") % {"object": deleted}
