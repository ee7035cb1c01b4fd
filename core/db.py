"""Database helpers shared by the apps' services."""

import contextlib

from django.db import connection, transaction


def savepoint_in_a_transaction():
    """In a caller's transaction, a savepoint, so that a database error inside leaves it usable; otherwise nothing
    (no transaction is held open while, say, a mail server is talked to; a single statement is atomic by itself)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
