"""Hand-written SQL for hot paths, with the ORM's own value conversions.

Building a query with the ORM costs far more CPU than running it: on the booking path most of the time went to
compiling SQL, not to the database. These helpers run fixed SQL and still give real model instances, converted
exactly as the ORM would (each field's database converters and `from_db_value`), and insert a model instance with
the field's own `pre_save` and `get_db_prep_save`. They work on PostgreSQL and SQLite alike.

On PostgreSQL they also send the parameters apart from the SQL (server-side binding): Django's default psycopg
cursor merges them into the text in Python first, which for these statements cost more than running them.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.base import Model, ModelState
from django.db.models.signals import post_init, pre_init

# The largest id a database key holds (64-bit signed): a larger number names nothing, and the database would
# refuse it as a parameter.
MAX_ID = 2**63 - 1


def cursor():
    """A cursor for fixed SQL: server-side binding on PostgreSQL, Django's usual cursor elsewhere.

    It is wrapped like any Django cursor, so errors become django.db errors and tests see the queries. The
    connection is looked up once: every `django.db.connection.x` goes through a context-local lookup.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return _LoggedText(db, db._prepare_cursor(ServerBindingCursor(db.connection)))


class _LoggedText:
    """Log the statement with its values, as Django does for its own queries (with server-side binding it would
    log `$1` placeholders, and for a prepared statement None)."""

    def __init__(self, db, wrapped):
        self.db = db
        self._wrapped = wrapped

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._wrapped.close()

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def execute(self, sql, params=None):
        self._wrapped.execute(sql, params)
        if self.db.queries_logged and self.db.queries_log:
            self.db.queries_log[-1]["sql"] = self.db.ops.compose_sql(sql, params)


def _converters(field, alias: str) -> list:
    column = field.get_col(alias)
    return connection.ops.get_db_converters(column) + field.get_db_converters(connection)


class RowLoader:
    """Select all concrete columns of `model` under a table alias and build instances from the row values."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self._pk_index = self.names.index(model._meta.pk.attname)
        self._conversions: dict[str, list] = {}  # per database vendor
        self._columns: dict[str, str] = {}
        # A model that does its own work when an instance is made goes through Model.from_db (see load).
        self._plain = model.__init__ is Model.__init__ and model.from_db.__func__ is Model.from_db.__func__

    def columns(self) -> str:
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor not in self._columns:
            quote = db.ops.quote_name
            self._columns[db.vendor] = ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)
        return self._columns[db.vendor]

    def load(self, row, offset: int = 0, db=None):
        """The instance made of row[offset:offset + number of fields], or None when its key is NULL (outer join).

        `db` is the connection the row came from (a cursor's `.db`); a caller that loads many rows passes it, since
        looking it up is a context-local lookup (a twentieth of a booking request's time, for ten rows).
        """
        if db is None:
            db = connections[DEFAULT_DB_ALIAS]
        conversions = self._conversions.get(db.vendor)
        if conversions is None:  # only the fields that have converters
            conversions = [
                (index, converters, field.get_col(self.alias))
                for index, field in enumerate(self.fields)
                if (converters := _converters(field, self.alias))
            ]
            self._conversions[db.vendor] = conversions
        values = list(row[offset : offset + len(self.fields)])
        if values[self._pk_index] is None:
            return None
        for index, converters, column in conversions:
            for convert in converters:
                values[index] = convert(values[index], column, db)
        if not self._plain or pre_init.receivers or post_init.receivers:
            return self.model.from_db(DEFAULT_DB_ALIAS, self.names, values)
        # What Model.from_db does for a full row, without Model.__init__'s generic argument handling (a twentieth
        # of a booking request's time): every field is a concrete column, so its value goes straight into the
        # instance's __dict__, where the field's descriptor reads it. The model adds nothing to __init__ or
        # from_db, and nothing listens to pre_init or post_init.
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.names, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = DEFAULT_DB_ALIAS
        return instance


_statements: dict[tuple, tuple] = {}


def _insert_fields(meta, with_pk: bool) -> list:
    return [field for field in meta.concrete_fields if with_pk or not field.primary_key]


def insert(instance):
    """INSERT a new model instance in one statement and set its primary key, as `instance.save()` would.

    Model `save()` overrides and signals are not run: use it only for models whose save adds nothing.
    """
    db = connections[DEFAULT_DB_ALIAS]
    meta = instance._meta
    returning = db.features.can_return_columns_from_insert
    key = ("insert", meta.label, db.vendor, instance.pk is not None)
    if key not in _statements:
        quote = db.ops.quote_name
        fields = _insert_fields(meta, instance.pk is not None)
        sql = "INSERT INTO {} ({}) VALUES ({}){}".format(
            quote(meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
            f" RETURNING {quote(meta.pk.column)}" if returning else "",
        )
        _statements[key] = (sql, fields)
    sql, fields = _statements[key]
    params = [field.get_db_prep_save(field.pre_save(instance, True), db) for field in fields]
    with cursor() as executing:
        executing.execute(sql, params)
        pk = executing.fetchone()[0] if returning else executing.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def cast_type(field, db) -> str:
    """The type to cast a parameter to: the column's, but text for character columns, since a cast to varchar(n)
    would silently cut a long value where the INSERT itself refuses it."""
    column_type = field.db_type(db)
    return "text" if column_type.startswith(("varchar", "char")) else column_type


def insert_parts(instance, *, replace: dict[str, str] | None = None) -> tuple[str, str, list]:
    """The column list, value list and parameters to INSERT `instance` inside a larger statement (PostgreSQL).

    Each parameter is cast to its column's type, so the values also work in `INSERT ... SELECT`. `replace` gives
    SQL for some fields instead of a parameter (by attname, e.g. `{"booking_id": "stored.id"}`).
    """
    db = connections[DEFAULT_DB_ALIAS]
    meta = instance._meta
    replace = replace or {}
    key = ("parts", meta.label, db.vendor, instance.pk is not None, tuple(sorted(replace.items())))
    if key not in _statements:
        quote = db.ops.quote_name
        fields = _insert_fields(meta, instance.pk is not None)
        columns = ", ".join(quote(field.column) for field in fields)
        values = ", ".join(replace.get(field.attname) or f"%s::{cast_type(field, db)}" for field in fields)
        _statements[key] = (columns, values, [field for field in fields if field.attname not in replace])
    columns, values, fields = _statements[key]
    return columns, values, [field.get_db_prep_save(field.pre_save(instance, True), db) for field in fields]
