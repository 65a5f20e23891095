"""Attachments (SPEC X-4): one service for every scan and document the portal keeps.

The type is read from the content (magic bytes), not the name; the size is limited by policy; the
file is stored under a generated name with its SHA-256, and deleted again if its transaction rolls
back; a new upload into the same slot of the same record becomes a new version (nothing is
overwritten); downloads go through ``attachment_for_download`` which applies the owner record's
visibility rule.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid

import filetype
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.signals import request_finished
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .models import Attachment
from .policy import current_policy

# Detected content type -> accepted file name extensions.
DOCUMENTS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
SPREADSHEETS = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"}}
OFFICE = {
    **SPREADSHEETS,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
}
DEFAULT_ALLOWED = {**DOCUMENTS, **OFFICE}
# How people name each type (the help text of a file field and the refusal say the same).
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
}


def accepted_types(allowed: dict[str, set[str]] | None = None) -> str:
    """“PDF、JPEG、PNG”: the types ``allowed`` accepts, as the help text of the field and the refusal both say."""
    from django.utils.translation import pgettext

    names = [TYPE_NAMES.get(mime, "/".join(sorted(exts))) for mime, exts in (allowed or DEFAULT_ALLOWED).items()]
    return pgettext("list separator", ", ").join(names)


def accepted_help(allowed: dict[str, set[str]] | None = None, *, several: bool = False, lead=""):
    """The help text of a file field, lazily in the reader's language: “可上传：PDF、JPEG、PNG。”, after ``lead``."""
    from django.utils.functional import lazy

    def text() -> str:
        if several:
            accepted = _("Accepted: %(types)s; several files may be chosen at once, each is kept as its own file.")
        else:
            accepted = _("Accepted: %(types)s.")
        accepted = accepted % {"types": accepted_types(allowed)}
        return f"{lead}{accepted}" if lead else accepted

    return lazy(text, str)()


def detect_type(upload) -> str | None:
    """The MIME type read from the first bytes of the file, or None when unknown."""
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    if kind is not None and kind.mime == "application/zip":
        # Office files are zip archives: their kind shows only in the member names, so read the whole file.
        upload.seek(0)
        kind = filetype.guess(upload.read())
    upload.seek(0)
    return kind.mime if kind else None


def validate_upload(upload, *, allowed: dict[str, set[str]] | None = None) -> str:
    """Check size, content type and name; returns the detected MIME type or raises ``ValidationError``."""
    allowed = allowed or DEFAULT_ALLOWED
    limit_mb = current_policy().upload_max_mb
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size).1f MB; at most %(limit)s MB may be uploaded.")
            % {"size": upload.size / 1024 / 1024, "limit": limit_mb}
        )
    mime = detect_type(upload)
    if mime not in allowed:
        raise ValidationError(
            _("The content of “%(name)s” is not an accepted file type (accepted: %(types)s).")
            % {"name": upload.name, "types": accepted_types(allowed)}
        )
    extension = os.path.splitext(upload.name)[1].lower()
    if extension not in allowed[mime]:
        raise ValidationError(
            _("“%(name)s” is named as %(ext)s but its content is %(kind)s; rename it or upload the right file.")
            % {"name": upload.name, "ext": extension or _("(no extension)"), "kind": "/".join(sorted(allowed[mime]))}
        )
    return mime


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# Files written inside a transaction that has not ended yet (per thread: each thread has its own connection).
_pending = threading.local()


def _delete_if_rolled_back(storage, name: str) -> None:
    """The file is written at once (the rest of the transaction may read it), but its row may still be rolled
    back: remember it, and delete it once its transaction has ended without committing.

    Django has no rollback hook; a callback registered with ``on_commit`` either runs (committed) or is dropped
    from the connection's list when its transaction or savepoint rolls back — which is what we look for."""
    connection = transaction.get_connection()
    state = {"committed": False}

    def committed():
        state["committed"] = True

    transaction.on_commit(committed)
    if not state["committed"]:
        if not hasattr(_pending, "files"):
            _pending.files = []
        _pending.files.append((connection, committed, state, storage, name))


def discard_rolled_back_files() -> int:
    """Delete the stored files whose transaction rolled back (called after each request and before each new
    upload; call it at the end of any other unit of work). Returns how many were deleted."""
    deleted, waiting = 0, []
    for connection, callback, state, storage, name in getattr(_pending, "files", []):
        if state["committed"]:
            continue
        if any(item[1] is callback for item in connection.run_on_commit):
            waiting.append((connection, callback, state, storage, name))  # its transaction is still open
            continue
        storage.delete(name)
        deleted += 1
    _pending.files = waiting
    return deleted


def _after_request(**_kwargs) -> None:
    discard_rolled_back_files()


request_finished.connect(_after_request, dispatch_uid="portal-files-discard-rolled-back")


def attachment_add(
    *, owner: Model, upload, by, slot: str = "file", note: str = "", allowed: dict[str, set[str]] | None = None,
    document: int | None = None, new_file: bool = False,
) -> Attachment:
    """Store ``upload`` as the next version of a file in ``slot`` on ``owner``: of ``document`` when given, else of
    the slot's latest file; ``new_file=True`` makes it a file of its own (version 1) beside the others.

    If the transaction that stores it rolls back, the written file is deleted again (no orphans in storage).
    """
    discard_rolled_back_files()
    mime = validate_upload(upload, allowed=allowed)
    ct = ContentType.objects.get_for_model(owner)
    extension = sorted((allowed or DEFAULT_ALLOWED)[mime])[0]
    digest = _sha256(upload)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                files = Attachment.objects.filter(content_type=ct, object_id=owner.pk, slot=slot)
                if new_file:
                    number = (files.aggregate(d=Max("document"))["d"] or 0) + 1
                elif document is not None:
                    number = document
                else:
                    newest = files.order_by("-pk").values_list("document", flat=True).first()
                    number = newest or 1
                latest = files.filter(document=number).aggregate(v=Max("version"))["v"]
                attachment = Attachment(
                    content_type=ct,
                    object_id=owner.pk,
                    slot=slot,
                    document=number,
                    version=(latest or 0) + 1,
                    original_name=os.path.basename(upload.name)[:255],
                    storage_name=f"attachments/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{extension}",
                    mime_type=mime,
                    size=upload.size,
                    sha256=digest,
                    note=note,
                    uploaded_by=by,
                )
                attachment.file.save(attachment.storage_name, upload, save=False)
                _delete_if_rolled_back(attachment.file.storage, attachment.file.name)
                attachment.save()
                return attachment
        except IntegrityError:
            continue  # two uploads took the same version number at once: take the next one
    raise ValidationError(_("The file could not be stored because of simultaneous uploads; please try again."))


def attachments_add(*, owner: Model, uploads, by, slot: str = "file", note: str = "",
                    allowed: dict[str, set[str]] | None = None) -> list[Attachment]:
    """Files chosen together: each is a file of its own in ``slot`` (version 1), not versions of one another."""
    return [attachment_add(owner=owner, upload=upload, by=by, slot=slot, note=note, allowed=allowed, new_file=True)
            for upload in uploads]


def attachments_of(owner: Model, slot: str | None = None):
    ct = ContentType.objects.get_for_model(owner)
    qs = Attachment.objects.filter(content_type=ct, object_id=owner.pk).select_related("uploaded_by__person")
    return qs.filter(slot=slot) if slot else qs


FILES_ORDER = ("slot", "document", "-version")


def attachments_preload(owner: Model) -> None:
    """Read every file of ``owner`` in one query for ``files_of`` and ``latest_attachment`` to answer from, on a
    page that shows several of its slots (the contract page asked six times). Only for a page that reads: an
    upload afterwards is not seen."""
    owner._preloaded_attachments = list(attachments_of(owner).order_by(*FILES_ORDER))


def _preloaded(owner: Model, slot: str | None) -> list[Attachment] | None:
    found = getattr(owner, "_preloaded_attachments", None)
    if found is None:
        return None
    return [a for a in found if a.slot == slot] if slot else found


def files_of(owner: Model, slot: str | None = None) -> list[tuple[Attachment, list[Attachment]]]:
    """(current version, earlier versions newest first) for every file of ``slot`` on ``owner``, in upload order."""
    groups: dict[tuple[str, int], list[Attachment]] = {}
    found = _preloaded(owner, slot)
    for attachment in attachments_of(owner, slot).order_by(*FILES_ORDER) if found is None else found:
        groups.setdefault((attachment.slot, attachment.document), []).append(attachment)
    return [(versions[0], versions[1:]) for versions in groups.values()]


def latest_attachment(owner: Model, slot: str) -> Attachment | None:
    """The newest upload of the slot (the current version of its newest file)."""
    found = _preloaded(owner, slot)
    if found is not None:
        return max(found, key=lambda a: a.pk, default=None)
    return attachments_of(owner, slot).order_by("-pk").first()


def attachment_for_download(*, user, attachment_id: int) -> Attachment:
    """The attachment if the user may see the record it belongs to; ``Http404`` otherwise."""
    from django.http import Http404

    attachment = Attachment.objects.select_related("content_type").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    model = attachment.content_type.model_class()
    if model is None or not access.visible_to(model, user).filter(pk=attachment.object_id).exists():
        raise Http404
    return attachment
