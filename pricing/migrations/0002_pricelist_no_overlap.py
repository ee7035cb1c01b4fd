"""On PostgreSQL, the database itself refuses two price lists of one resource with overlapping validity.

Written as SQL run only on PostgreSQL (SQLite has no exclusion constraints); the service checks the same rule on
every database and turns a violation into a clear error.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE pricing_pricelist ADD CONSTRAINT pricing_pricelist_no_overlap
EXCLUDE USING gist (resource_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
"""
DROP = "ALTER TABLE pricing_pricelist DROP CONSTRAINT IF EXISTS pricing_pricelist_no_overlap"


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP)),
    ]
