"""A PostgreSQL exclusion constraint that stays out of the way on SQLite.

The development default (SQLite) has no exclusion constraints; there the booking service serialises writers
instead (see booking.services). The model still declares the constraint, so PostgreSQL always gets it.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import models
from django.db.models import Func


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)
