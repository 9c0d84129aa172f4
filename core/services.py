"""What every app's services share: save after full validation, apply a change to allowed
fields only, and delete or explain what still depends on a row (one refusal format)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


def save_validated(instance, *, actor=None):
    """Validate fields, `clean()` and constraints, then save; `actor` is recorded in history.

    Raises ValidationError with field messages and writes nothing on bad input.
    """
    instance.full_clean()
    if actor is not None:
        instance._history_user = actor
    instance.save()
    return instance


NOT_CHANGED_HERE = gettext_lazy("This field cannot be changed here.")


def apply_changes(instance, changes: dict, *, allowed: set[str], fixed: dict | None = None):
    """Set `changes` on `instance`, refusing fields that may not change this way.

    `fixed` maps the fields that place a stored row (a value's measure and period, an
    objective's unit) to the message refusing a change of them: a change may repeat the
    stored value (an API PUT sends every field), which is then left alone."""
    changes = dict(changes)
    errors = {}
    for name, message in (fixed or {}).items():
        if name not in changes or instance.pk is None:
            continue
        given = changes.pop(name)
        stored = getattr(instance, instance._meta.get_field(name).attname)
        if getattr(given, "pk", given) != stored:
            errors[name] = message
    unknown = sorted(set(changes) - allowed)
    errors.update(dict.fromkeys(unknown, NOT_CHANGED_HERE))
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


def delete_or_explain(instance, *, actor=None):
    """Delete `instance`, or refuse with a message naming what still depends on it."""
    if actor is not None:
        instance._history_user = actor
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = list(
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        message = ngettext(
            "%(model)s '%(row)s' cannot be deleted: %(dependents)s still depends on it.",
            "%(model)s '%(row)s' cannot be deleted: %(dependents)s still depend on it.",
            len(blockers),
        )
        # Keyed like every other refusal of the services, so callers can use `message_dict`.
        raise ValidationError(
            {
                NON_FIELD_ERRORS: message
                % {
                    "model": str(instance._meta.verbose_name).capitalize(),
                    "row": instance,
                    "dependents": describe_dependents(blockers),
                }
            }
        ) from None


def describe_dependents(objects) -> str:
    """'3 measure values (e.g. REV 2026-01, …), 1 goal (e.g. …)' for a refusal message."""
    groups: dict[str, list] = {}
    for obj in objects:
        meta = obj._meta
        groups.setdefault((meta.verbose_name, meta.verbose_name_plural), []).append(obj)
    parts = []
    for (singular, plural), items in sorted(groups.items()):
        items = sorted(items, key=str)  # the blockers come as a set: name them in a stable order
        label = singular if len(items) == 1 else plural
        examples = ", ".join(str(o) for o in items[:3])
        more = ", …" if len(items) > 3 else ""
        parts.append(
            _("%(count)s %(things)s (e.g. %(examples)s)")
            % {"count": len(items), "things": label, "examples": examples + more}
        )
    return "; ".join(parts)
