"""The error pages (core/errors.py): a database outage is a 503, JSON under /api/."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from core.errors import server_error


def answer(path, exc):
    try:
        raise exc
    except Exception:  # handler500 runs while the exception is being handled
        return server_error(RequestFactory().get(path))


def test_an_outage_is_a_503_page_or_json():
    page = answer("/units/X/", OperationalError("connection refused"))
    assert page.status_code == 503 and page["Retry-After"] == "60"
    assert "OSM is unavailable for a moment" in page.content.decode()
    api = answer("/api/v1/units/", OperationalError("server closed the connection"))
    assert api.status_code == 503
    assert "database is not answering" in json.loads(api.content)["detail"]


def test_anything_else_is_a_plain_500():
    page = answer("/", ValueError("bug"))
    assert page.status_code == 500 and "Something went wrong" in page.content.decode()
    assert "bug" not in page.content.decode()  # nothing of the exception shown
