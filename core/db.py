"""Database helpers shared by the apps' services and selectors."""

import contextlib
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

# The largest id a database key holds (64-bit signed): a larger number names nothing, and the database would
# refuse it as a parameter. Filters and serializers check ids against it.
MAX_ID = 2**63 - 1


def savepoint_in_a_transaction():
    """In a caller's transaction, a savepoint, so that a database error inside leaves it usable; otherwise nothing
    (no transaction is held open while, say, a mail server is talked to; a single statement is atomic by itself)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


class ModelRows:
    """A model's rows read with hand-written SQL, made into instances as the ORM makes them.

    For the few statements that run on every request, where building the query with the ORM costs more than
    running it. `columns()` lists the model's concrete columns under a table alias, for a SELECT; `load()` turns
    the values of those columns in a row into a saved instance: each value through the database's and the
    field's converters, then `Model.from_db`. Public Django APIs only.
    """

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self.pk_index = self.names.index(model._meta.pk.attname)

    def columns(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def load(self, row, offset: int = 0, db=None):
        """The instance made of row[offset:offset + width], or None when its key is NULL (an outer join missed).

        `db` is the connection the row came from (the default database's unless given): a caller that loads many
        rows passes it, since each lookup of `django.db.connection` goes through a context-local lookup.
        """
        if db is None:
            db = connections[DEFAULT_DB_ALIAS]
        values = list(row[offset : offset + self.width])
        if values[self.pk_index] is None:
            return None
        for index, converters, column in _converters(self.model, self.alias, db.vendor):
            for convert in converters:
                values[index] = convert(values[index], column, db)
        return self.model.from_db(db.alias, self.names, values)


@functools.cache
def _converters(model, alias: str, vendor: str) -> list[tuple[int, list, object]]:
    """The fields of `model` whose database values need converting on `vendor`'s database, with their converters
    (the ORM asks the same of each column of a query)."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((index, converters, column))
    return found
