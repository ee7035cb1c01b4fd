from django.db import migrations, models

# Until this release a booking carried charged amounts from the moment it was made; they now appear only when it
# becomes chargeable (its use recorded, or a cancellation). Bookings that are not, or never were, chargeable lose
# the copies, so that nothing pending or refused looks invoiced.
NEVER_CHARGED = ("pending", "confirmed", "rejected", "expired")


def clear_charges_of_bookings_not_chargeable(apps, schema_editor):
    apps.get_model("booking", "Booking").objects.filter(status__in=NEVER_CHARGED).update(
        charged_net_amount=None, charged_vat_amount=None, charged_total_amount=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0104_outgoing_email_to_core"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bookingevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("requested", "Requested"),
                    ("confirmed", "Confirmed"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                    ("moved", "Moved"),
                    ("expired", "Expired"),
                    ("completed", "Completed"),
                    ("no_show", "No-show"),
                    ("use_adjusted", "Used time adjusted"),
                ],
                max_length=16,
                verbose_name="what",
            ),
        ),
        migrations.RunPython(clear_charges_of_bookings_not_chargeable, migrations.RunPython.noop),
    ]
