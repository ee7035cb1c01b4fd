"""Calendars for the demo register: every bookable demo resource gets a booking policy when it is loaded."""

import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import Booking, BookingPolicy, Closure, OpeningHours, Qualification
from calendars import selectors as calendar_selectors

WEEKDAYS = range(5)


def _policy_values(index: int) -> dict:
    """A mix the demo can show: a third need approval, a third need training, the rest confirm at once."""
    values = {"slot_minutes": 30, "min_length_minutes": 60, "max_length_minutes": 8 * 60, "min_notice_minutes": 120}
    if index % 3 == 0:
        values.update(requires_approval=True, approval_deadline_hours=48)
    elif index % 3 == 1:
        values.update(requires_qualification=True, buffer_minutes=30)  # cell labs need changeover cleaning
    return values


@transaction.atomic
def give_demo_resources_calendars(*, resources, researchers=()) -> list[BookingPolicy]:
    """Idempotent: resources that already have a policy keep it."""
    existing = set(BookingPolicy.objects.filter(resource__in=resources).values_list("resource_id", flat=True))
    created = []
    for index, resource in enumerate(sorted(resources, key=lambda r: r.pk)):
        if resource.pk in existing:
            continue
        policy = BookingPolicy.objects.create(resource=resource, **_policy_values(index))
        OpeningHours.objects.bulk_create(
            OpeningHours(policy=policy, weekday=day, opens=datetime.time(8), closes=datetime.time(16))
            for day in WEEKDAYS
        )
        created.append(policy)
    # The demo's facilities are closed on public holidays, as most are: the week calendar shows them closed.
    from booking import services

    Closure.objects.bulk_create(
        closure for policy in created for closure in services.public_holiday_closures(resource=policy.resource)
    )
    needing_training = [
        p.resource for p in BookingPolicy.objects.filter(resource__in=resources, requires_qualification=True)
    ]
    expires = timezone.localdate() + datetime.timedelta(days=365)
    for user in researchers:
        for resource in needing_training[:3]:
            Qualification.objects.get_or_create(user=user, resource=resource, defaults={"expires_on": expires})
    return created


DEMO_LOCAL_SYSTEM = ("LibreBooking (demo)", "https://librebooking.example.org/Web/reservation.php?sd={start}&ed={end}")


def give_demo_local_booking(*, resources) -> BookingPolicy | None:
    """One of the demo resources that read an external calendar (calendars.demo) is booked in that local system:
    the demo shows its free time with a link there. Idempotent."""
    federated = sorted(calendar_selectors.feed_status_of([resource.pk for resource in resources]))
    if len(federated) < 2:
        return None
    policy = BookingPolicy.objects.filter(resource_id=federated[1]).first()
    if policy is not None and not policy.booked_in_local_system:
        policy.booked_in_local_system = True
        policy.local_system_name, policy.local_booking_url = DEMO_LOCAL_SYSTEM
        policy.save(update_fields=["booked_in_local_system", "local_system_name", "local_booking_url"])
    return policy


def give_demo_history(*, resources, users: dict) -> int:
    """Completed uses in the last weeks, so the accounting pages (revenue, invoice basis, EHF) have figures.

    The company and the UiO researcher have used instruments at the UiO demo manager's facilities. Idempotent:
    a use already recorded for that user, resource and start is not recorded again.
    """
    from booking import services

    company, researcher = users.get("demo.bedrift@example.org"), users.get("demo.forsker.uio@example.org")
    manager = users.get("demo.leder.uio@example.org")
    if not (company and researcher and manager):
        return 0
    managed = set(manager.managed.values_list("facility_id", flat=True))
    chosen = sorted((r for r in resources if r.facility_id in managed), key=lambda r: r.pk)[:3]
    today = timezone.localdate()
    uses = []
    for index, resource in enumerate(chosen):
        for days_ago, user in ((3 + index, company), (10 + index, researcher)):
            day = today - datetime.timedelta(days=days_ago)
            day -= datetime.timedelta(days=max(0, day.weekday() - 4))  # a weekend day becomes the Friday before
            if day.year != today.year:
                continue  # stay inside this year's demo price list
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            uses.append((resource, user, start))
    recorded = 0
    for resource, user, start in uses:
        if Booking.objects.filter(resource=resource, user=user, start=start).exists():
            continue
        services.completed_use_record(
            resource=resource, user=user, start=start, end=start + datetime.timedelta(hours=3),
            access_model="rental", actor=manager, purpose="Demo",
        )  # fmt: skip
        recorded += 1
    return recorded


def on_demo_register_loaded(sender, resources=(), with_demo_users=False, users=None, **kwargs):
    researchers = []
    if with_demo_users:
        if users:
            researchers = [user for email, user in users.items() if email.startswith("demo.forsker")]
        else:
            from accounts.models import User

            researchers = list(User.objects.filter(email__startswith="demo.forsker"))
    give_demo_resources_calendars(resources=list(resources), researchers=researchers)
    give_demo_local_booking(resources=list(resources))
    if with_demo_users and users:
        give_demo_history(resources=list(resources), users=users)
