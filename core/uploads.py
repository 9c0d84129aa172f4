"""The uploads' size limits.

Every request body is at most `REQUEST_MAX_BYTES` (Django's default of 2.5 MB, checked by
`core.middleware.RequestLimitsMiddleware`); a view that takes an upload is marked with
`takes_large_body("SETTING")` and takes up to that setting's number of bytes, refusing a
larger body itself with its own message.

`SizeLimitUploadHandler` refuses a file over `BULK_MAX_BYTES` without keeping it: Django
would otherwise stream a 200 MB file to a temporary file first, only for the form to
refuse it. The form's other fields (the CSRF token) are still read; the file's bytes are
thrown away as they arrive, and the request is marked (`request.upload_too_large`) so the
page can say why."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


def takes_large_body(setting: str):
    """Mark a view (a function, or a DRF view class) as an upload taking bodies of up to
    `settings.<setting>` bytes, read at each request; the view refuses more itself."""

    def mark(view):
        view.large_body_setting = setting
        return view

    return mark


def large_body_limit(view_func) -> int | None:
    """The bytes a view marked by `takes_large_body` takes, or None for any other view.
    A DRF view is marked on its class (`as_view()` keeps it as `cls`)."""
    for holder in (
        view_func,
        getattr(view_func, "cls", None),
        getattr(view_func, "view_class", None),
    ):
        setting = getattr(holder, "large_body_setting", None)
        if setting:
            return getattr(settings, setting)
    return None


class SizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: looks at the declared length; when it is over the
    limit, takes every file itself and keeps nothing of it."""

    too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = bool(content_length and content_length > settings.BULK_MAX_BYTES)
        if self.too_large:
            self.request.upload_too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopFutureHandlers  # no temporary file, no memory buffer

    def receive_data_chunk(self, raw_data, start):
        return None if self.too_large else raw_data

    def file_complete(self, file_size):
        # An empty stand-in: the view sees the mark and refuses with a message.
        return SimpleUploadedFile(self.file_name, b"") if self.too_large else None
