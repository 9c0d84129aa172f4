"""Writes of best practices (issue 17 item 5):

- anyone with a role writes a practice of a unit (title, Markdown body, the objectives and
  measures it serves); its author and the OSM staff change and delete it (the callers ask
  the rules, core/policies.py PRACTICES);
- documents and pictures are attached through the default storage under a random name
  (the name people gave it is kept beside it), at most `settings.ATTACHMENT_MAX_BYTES`
  each, of the kinds in `EXTENSIONS` only; a deleted practice's or attachment's files
  leave the storage once the deletion is committed;
- anyone but its author endorses a practice, once, and may withdraw the endorsement.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.services import apply_changes, delete_or_explain, save_validated

from ..models import Endorsement, Practice, PracticeAttachment

PRACTICE_FIELDS = {"unit", "title", "body"}
LINKS = ("objectives", "measures")
MAX_LINKS = 50  # objectives or measures one practice serves: more says nothing
MAX_ATTACHMENTS = 20  # per practice
# What may be attached, by extension: office documents, text and pictures. The type stored
# (and sent with the download) is the one of its extension, never what the browser said.
EXTENSIONS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def size_text(size: int) -> str:
    """A number of bytes as people read it: "800 bytes", "10 MB", "2.5 MB"."""
    if size < 1_000_000:
        return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": size}
    megabytes = f"{size / 1_000_000:.1f}".removesuffix(".0")
    return _("%(size)s MB") % {"size": megabytes}


def too_large_message(name: str = "") -> str:
    """The refusal of a file over the limit, naming the limit."""
    limit = size_text(settings.ATTACHMENT_MAX_BYTES)
    if name:
        return _("“%(name)s” is too large: an attachment may be at most %(limit)s.") % {
            "name": name,
            "limit": limit,
        }
    return _("An attachment may be at most %(limit)s.") % {"limit": limit}


def allowed_kinds() -> str:
    """The extensions taken, for messages and the file input's `accept`."""
    return ", ".join(f".{ext}" for ext in EXTENSIONS)


def clean_name(name: str) -> str:
    """The name an upload is shown and downloaded under: its last path part (a browser may
    send a whole path), without control characters, at most 255 characters with its
    extension kept."""
    name = _CONTROL.sub("", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) < 20 else name[:255]
    return name


def check_upload(upload) -> tuple[str, str]:
    """(name, content type) of an acceptable upload; a ValidationError saying what is wrong
    with it otherwise (its kind, its size)."""
    name = clean_name(getattr(upload, "name", ""))
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is not a document or a picture OSM takes: attach one of %(kinds)s.")
            % {"name": name or "?", "kinds": allowed_kinds()}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(too_large_message(name))
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    return name, EXTENSIONS[ext]


def _checked(practice: Practice | None, uploads, field: str) -> list[tuple[object, str, str]]:
    """Every upload checked before any is stored (one refused, none kept): (upload, name,
    content type) each, or a ValidationError on `field` naming each refused file."""
    checked, problems = [], []
    for upload in uploads:
        try:
            checked.append((upload, *check_upload(upload)))
        except ValidationError as exc:
            problems.extend(exc.messages)
    held = practice.attachments.count() if practice is not None and practice.pk else 0
    if held + len(checked) > MAX_ATTACHMENTS:
        problems.append(
            _("A practice holds at most %(count)s attachments.") % {"count": MAX_ATTACHMENTS}
        )
    if problems:
        raise ValidationError({field: problems})
    return checked


def _store(practice: Practice, checked, actor) -> list[PracticeAttachment]:
    """Write the checked uploads to the storage and their rows; should anything fail, the
    files already written are removed again."""
    stored: list[PracticeAttachment] = []
    try:
        for upload, name, content_type in checked:
            attachment = PracticeAttachment(
                practice=practice,
                name=name,
                size=upload.size,
                content_type=content_type,
                uploaded_by=actor,
            )
            # The storage's name comes from `attachment_path` (random), not from `name`.
            attachment.file.save(name, upload, save=False)
            stored.append(attachment)
            save_validated(attachment)
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return stored


def _forget_files(names: list[str]) -> None:
    """Remove files from the storage once the transaction that dropped their rows commits
    (a rolled-back deletion keeps them)."""
    storage = PracticeAttachment._meta.get_field("file").storage
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _set_links(practice: Practice, links: dict) -> None:
    for name, chosen in links.items():
        if chosen is None:
            continue
        chosen = list(chosen)
        if len(chosen) > MAX_LINKS:
            raise ValidationError({name: _("Choose at most %(count)s.") % {"count": MAX_LINKS}})
        getattr(practice, name).set(chosen)


def _split(data: dict) -> tuple[dict, dict, list]:
    """The practice's own fields, its links (objectives, measures) and its new uploads."""
    data = dict(data)
    links = {name: data.pop(name, None) for name in LINKS}
    uploads = list(data.pop("attachments", None) or [])
    return data, links, uploads


@transaction.atomic
def practice_create(*, actor, data: dict) -> Practice:
    """A new practice written by `actor`: `unit`, `title`, `body`, optionally `objectives`,
    `measures` and `attachments` (uploaded files)."""
    fields, links, uploads = _split(data)
    practice = apply_changes(Practice(author=actor), fields, allowed=PRACTICE_FIELDS)
    save_validated(practice, actor=actor)
    _set_links(practice, links)
    _store(practice, _checked(practice, uploads, "attachments"), actor)
    return practice


@transaction.atomic
def practice_update(*, actor, instance: Practice, data: dict) -> Practice:
    """Change a practice's fields and links (those given), and attach `attachments`."""
    fields, links, uploads = _split(data)
    apply_changes(instance, fields, allowed=PRACTICE_FIELDS)
    save_validated(instance, actor=actor)
    _set_links(instance, links)
    _store(instance, _checked(instance, uploads, "attachments"), actor)
    return instance


@transaction.atomic
def practice_delete(*, actor, instance: Practice) -> None:
    """Delete a practice with its endorsements and attachments, whose files leave the
    storage when the deletion is committed."""
    names = list(instance.attachments.values_list("file", flat=True))
    delete_or_explain(instance, actor=actor)
    _forget_files(names)


@transaction.atomic
def attachment_add(*, actor, practice: Practice, file) -> PracticeAttachment:
    """Attach one uploaded file (`file`) to a practice (the API's upload)."""
    if file is None:
        raise ValidationError({"file": _("Send the document as the multipart field “file”.")})
    (attachment,) = _store(practice, _checked(practice, [file], "file"), actor)
    return attachment


@transaction.atomic
def attachment_delete(*, actor, instance: PracticeAttachment) -> None:
    """Remove an attachment; its file leaves the storage when that is committed."""
    name = instance.file.name
    instance.delete()
    _forget_files([name])


def may_endorse(actor, practice: Practice) -> bool:
    """Whether `actor` is someone who could endorse it: not its author."""
    return bool(actor and actor.is_authenticated and practice.author_id != actor.pk)


@transaction.atomic
def practice_endorse(*, actor, practice: Practice) -> Endorsement:
    """`actor` vouches for a practice: once, and not for his or her own."""
    if not may_endorse(actor, practice):
        raise ValidationError(_("You wrote this practice: others endorse it."))
    if Endorsement.objects.filter(practice=practice, user=actor).exists():
        raise ValidationError(_("You have already endorsed this practice."))
    try:
        with transaction.atomic():  # a second click racing the first: the constraint says no
            return Endorsement.objects.create(practice=practice, user=actor)
    except IntegrityError:
        raise ValidationError(_("You have already endorsed this practice.")) from None


@transaction.atomic
def practice_unendorse(*, actor, practice: Practice) -> None:
    """`actor` withdraws his or her endorsement of a practice."""
    deleted, _by_model = Endorsement.objects.filter(practice=practice, user=actor).delete()
    if not deleted:
        raise ValidationError(_("You have not endorsed this practice."))
