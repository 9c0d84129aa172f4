"""Small assertions shared by the tests of the rules of data."""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


@contextmanager
def refused(expected: dict):
    """The block raises ValidationError whose `message_dict` is exactly `expected`."""
    with pytest.raises(ValidationError) as info:
        yield info
    got = info.value.message_dict
    assert got == expected, f"refused with {got!r}, expected {expected!r}"


@contextmanager
def db_refuses():
    """The block (a raw write bypassing validation) is refused by the database itself."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def client_for(user) -> APIClient:
    """An API client logged in as a fresh copy of `user` (no per-object caches carried)."""
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def list_queries(user, url) -> tuple[int, int]:
    """(number of rows, number of queries) of one big page of `url`, after a warm-up."""
    client_for(user).get(url)
    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return response.json()["count"], len(queries)


def ids(client, url, **params) -> list[int]:
    """The ids of the rows of one page of `url`."""
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (for servers the tests start)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
