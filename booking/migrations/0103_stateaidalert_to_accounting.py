# StateAidAlert moved to the accounting app (accounting/migrations/0001_initial.py takes it over). Only Django's
# picture of the models changes here: the table booking_stateaidalert and its rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0102_outgoing_email'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='StateAidAlert')],
            database_operations=[],
        ),
    ]
