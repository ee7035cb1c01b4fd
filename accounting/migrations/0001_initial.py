# StateAidAlert, taken over from the booking app (booking/migrations/0103_stateaidalert_to_accounting.py) without
# touching the database: the table keeps its name (Meta.db_table) and its rows. Its content type moves with it,
# so the permissions given on "state-aid alert" keep working.

import django.db.models.deletion
from django.db import migrations, models

MODEL = 'stateaidalert'


def content_type_to(app_label, from_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        db = schema_editor.connection.alias
        if ContentType.objects.using(db).filter(app_label=app_label, model=MODEL).exists():
            return  # already there (made by post_migrate); the old row is left to remove_stale_contenttypes
        ContentType.objects.using(db).filter(app_label=from_label, model=MODEL).update(app_label=app_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('booking', '0103_stateaidalert_to_accounting'),
        ('catalogue', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StateAidAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='year')),
                        ('level', models.CharField(choices=[('warning', 'Warning'), ('alert', 'Alert')], max_length=16, verbose_name='level')),
                        ('share', models.DecimalField(decimal_places=4, max_digits=7, verbose_name='share of capacity')),
                        ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent')),
                        ('resource', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.resource', verbose_name='resource')),
                    ],
                    options={
                        'verbose_name': 'state-aid alert',
                        'verbose_name_plural': 'state-aid alerts',
                        'db_table': 'booking_stateaidalert',
                        'constraints': [models.UniqueConstraint(fields=('resource', 'year', 'level'), name='booking_stateaidalert_once', violation_error_message='This alert has already been sent.')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to('accounting', 'booking'), content_type_to('booking', 'accounting')),
    ]
