"""Transaction-long locks on a name, for rules no row can hold: "no value is written into
a month while it is being closed". Writers take the name's lock shared (they never wait for
each other); the one who changes the rule takes it exclusively, so he waits for the writes
in progress to commit and the writes that come after wait for him, then see his change.

PostgreSQL's advisory locks (released at the end of the transaction). SQLite, the
development database, lets one transaction write at a time, which serialises the same
writes: there the locks are nothing."""

import zlib

from django.db import connection


def _key(name: str) -> int:
    return zlib.crc32(name.encode()) - 2**31  # a signed 32-bit number, stable across runs


def lock_shared(name: str) -> None:
    """Hold `name` shared until the transaction ends (inside `transaction.atomic`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_key(name)])


def lock_exclusive(name: str) -> None:
    """Hold `name` alone until the transaction ends (inside `transaction.atomic`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
