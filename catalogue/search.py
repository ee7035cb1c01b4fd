"""The database side of the register's search: the stored search columns of a facility and their indexes.

A facility keeps two generated columns, computed by the database whenever the row is written (so no service,
import or admin save can leave them behind):

- `search_vector`: on PostgreSQL the weighted Norwegian text-search vector of name (A), keywords (B) and both
  descriptions (C), indexed with GIN; on other databases NULL, as they have no text search.
- `search_text`: the same four texts in lower case, one string, indexed with a trigram GIN index (pg_trgm) on
  PostgreSQL, so that a word inside a compound ("mikroskop" in "lysmikroskopi") is found without reading every
  row. On SQLite the same column serves a plain LIKE.

The indexes are declared on the model with the classes below, which create them on PostgreSQL only: SQLite (the
embedded default for the demo and the tests) has neither GIN nor pg_trgm and gets no index there.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Lower

# The text-search configuration of documents and queries: Norwegian stemming and stop words.
SEARCH_CONFIG = "norwegian"

SEARCHED_FIELDS = ("name", "keywords", "description_nb", "description_en")
# The stored columns, which lists leave unread (defer) as only the database needs them.
SEARCH_COLUMNS = ("search_vector", "search_text")


class PostgresOnly(models.Expression):
    """An expression that only PostgreSQL computes; on other databases it is NULL.

    Used for the stored text-search vector, whose functions (to_tsvector, setweight) exist only there, so that the
    same model and migrations also run on SQLite.
    """

    def __init__(self, expression, output_field=None):
        super().__init__(output_field=output_field)
        self.expression = expression

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, expressions):
        (self.expression,) = expressions

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.expression)


class PostgresGinIndex(GinIndex):
    """A GIN index on PostgreSQL; on other databases no index at all (they have no GIN).

    On SQLite `create_sql` gives a statement that does nothing, because the schema editor runs whatever it gets
    (also when it rebuilds the table for a later migration).
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return "SELECT 1"
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return "SELECT 1"
        return super().remove_sql(model, schema_editor, **kwargs)


def facility_search_vector() -> PostgresOnly:
    """The expression of Facility.search_vector: weighted, so that a match in the name ranks first."""
    return PostgresOnly(
        SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("keywords", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description_nb", weight="C", config=SEARCH_CONFIG)
        + SearchVector("description_en", weight="C", config=SEARCH_CONFIG)
    )


def facility_search_text() -> Lower:
    """The expression of Facility.search_text: the searched texts in lower case, separated by a space (so that
    no word runs into the next field's)."""
    parts = []
    for field in SEARCHED_FIELDS:
        parts += [field, Value(" ")]
    return Lower(Concat(*parts[:-1], output_field=models.TextField()))


class EqualsAny(models.Func):
    """`value = ANY(array)`, a condition: with an ARRAY(subquery) the subquery runs once (an InitPlan) and the
    condition is a primary-key index scan, which PostgreSQL can OR with the text-search and trigram index scans
    into one bitmap (an `IN (subquery)` cannot be)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = models.BooleanField()
