"""Booking's e-mail outbox becomes core's, shared by every app: the e-mails that wait are copied into core's table
as kind `booking.<kind>` about the booking, then booking's table is removed. Backwards, core's booking e-mails are
moved back."""

from django.db import migrations

BATCH = 1000


def copy_to_core(apps, schema_editor):
    BookingEmail = apps.get_model("booking", "OutgoingEmail")
    CoreEmail = apps.get_model("core", "OutgoingEmail")
    rows = []
    for email in BookingEmail.objects.order_by("id").iterator(chunk_size=BATCH):
        rows.append(
            CoreEmail(
                kind=f"booking.{email.kind}",
                object_id=email.booking_id,
                payload={},
                created_at=email.created_at,
                send_after=email.send_after,
                attempts=email.attempts,
            )
        )
        if len(rows) >= BATCH:
            CoreEmail.objects.bulk_create(rows)
            rows = []
    CoreEmail.objects.bulk_create(rows)


def copy_back_to_booking(apps, schema_editor):
    BookingEmail = apps.get_model("booking", "OutgoingEmail")
    CoreEmail = apps.get_model("core", "OutgoingEmail")
    Booking = apps.get_model("booking", "Booking")
    booking_emails = CoreEmail.objects.filter(kind__startswith="booking.")
    existing = set(
        Booking.objects.filter(pk__in=booking_emails.values("object_id")).values_list("pk", flat=True)
    )
    BookingEmail.objects.bulk_create(
        [
            BookingEmail(
                booking_id=email.object_id,
                kind=email.kind.removeprefix("booking."),
                created_at=email.created_at,
                send_after=email.send_after,
                attempts=email.attempts,
            )
            for email in booking_emails.order_by("id")
            if email.object_id in existing
        ],
        batch_size=BATCH,
    )
    booking_emails.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0103_stateaidalert_to_accounting"),
        ("core", "0001_outgoing_email"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back_to_booking),
        migrations.DeleteModel(name="OutgoingEmail"),
    ]
