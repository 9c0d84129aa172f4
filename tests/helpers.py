"""Small assertions shared by the tests of the rules of data."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


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
