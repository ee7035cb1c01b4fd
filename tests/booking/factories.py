import datetime

import factory

from booking.models import Booking, BookingPolicy, Closure, OpeningHours, Qualification
from tests.factories import ResourceFactory, UserFactory


class BookingPolicyFactory(factory.django.DjangoModelFactory):
    """Open every day 07:00-19:00 unless `opening` is given as {weekday: [(opens, closes)]}."""

    class Meta:
        model = BookingPolicy
        skip_postgeneration_save = True

    resource = factory.SubFactory(ResourceFactory)
    slot_minutes = 30
    min_length_minutes = 30
    max_length_minutes = 8 * 60
    min_notice_minutes = 60
    max_advance_days = 400
    buffer_minutes = 0

    @factory.post_generation
    def opening(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        opening = extracted or {day: [(datetime.time(7), datetime.time(19))] for day in range(7)}
        OpeningHours.objects.bulk_create(
            OpeningHours(policy=obj, weekday=day, opens=opens, closes=closes)
            for day, intervals in opening.items()
            for opens, closes in intervals
        )


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    status = "confirmed"
    activity = "economic"
    access_model = "rental"


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    resource = factory.SubFactory(ResourceFactory)
    kind = "maintenance"
    start = factory.LazyFunction(lambda: datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=4))
    internal_note = "Service visit from the vendor"


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)
