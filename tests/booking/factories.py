import datetime
from decimal import ROUND_HALF_UP, Decimal

import factory

from accounts.choices import RegisterState
from accounts.models import Organisation
from booking.choices import Activity, BookingStatus, ServiceOrderStatus
from booking.models import Booking, BookingPolicy, Closure, OpeningHours, Qualification, ServiceOrder
from catalogue.choices import AccessModel
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


def round_ore(value: Decimal) -> Decimal:
    """Øre, half up, as pricing rounds."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed economic rental of `hours` hours (2) on 4 January 2027 from 09:00 UTC, made directly (no booking
    service, so no rule is checked), without a price.

    `charged=True`: completed, with the price snapshot of a company (Eksempel AS) at `unit_price` (1 000 NOK) per
    hour + 25 % VAT and charged amounts equal to the snapshot, as the accounts read it. Give `unit_price`,
    `quantity` and `vat_rate`; the amounts follow.
    """

    class Meta:
        model = Booking

    class Params:
        hours = 2
        charged = factory.Trait(
            status=BookingStatus.COMPLETED,
            payer_name="Eksempel AS",
            payer_org_number="988077917",
            price_tier="external_economic",
            price_unit="hour",
            unit_price=Decimal("1000.00"),
            quantity=factory.LazyAttribute(lambda o: Decimal(str(o.hours)).quantize(Decimal("0.01"))),
            net_amount=factory.LazyAttribute(lambda o: round_ore(o.unit_price * o.quantity)),
            vat_rate=Decimal("0.25"),
            vat_amount=factory.LazyAttribute(lambda o: round_ore(o.net_amount * o.vat_rate)),
            total_amount=factory.LazyAttribute(lambda o: o.net_amount + o.vat_amount),
            charged_net_amount=factory.LazyAttribute(lambda o: o.net_amount),
            charged_vat_amount=factory.LazyAttribute(lambda o: o.vat_amount),
            charged_total_amount=factory.LazyAttribute(lambda o: o.total_amount),
        )

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=o.hours))
    status = BookingStatus.CONFIRMED
    activity = Activity.ECONOMIC
    access_model = AccessModel.RENTAL
    # A payer number points to its organisation, verified (as booking_create does for an approved member), so
    # that the accounts invoice it; pass `payer_organisation=None` for a number no organisation carries.
    payer_organisation = factory.LazyAttribute(
        lambda o: (
            verified_organisation(o.payer_org_number, o.payer_name)
            if getattr(o, "payer_org_number", "") and getattr(o, "payer_institution", None) is None
            else None
        )
    )


def verified_organisation(org_number: str, name: str = "") -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        org_number=org_number, defaults={"name": name or org_number, "register_state": RegisterState.VERIFIED}
    )
    return organisation


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


class ServiceOrderFactory(factory.django.DjangoModelFactory):
    """An ordered service (an accepted quote) of 5 samples at 2 000 NOK + 25 % VAT for Eksempel AS (verified),
    economic, made directly (no service, no rule checked). `status=delivered` also needs `delivered_at`."""

    class Meta:
        model = ServiceOrder

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
    status = ServiceOrderStatus.ORDERED
    access_model = AccessModel.SERVICE
    activity = Activity.ECONOMIC
    description = "Analyse av prøver"
    payer_name = "Eksempel AS"
    payer_org_number = "988077917"
    price_tier = "external_economic"
    price_unit = "sample"
    unit_price = Decimal("2000.00")
    quantity = Decimal("5.00")
    net_amount = factory.LazyAttribute(lambda o: (o.unit_price * o.quantity).quantize(Decimal("0.01")))
    vat_rate = Decimal("0.25")
    vat_amount = factory.LazyAttribute(
        lambda o: (o.net_amount * o.vat_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    total_amount = factory.LazyAttribute(lambda o: o.net_amount + o.vat_amount)
    vat_category = "S"
    payer_organisation = factory.LazyAttribute(
        lambda o: verified_organisation(o.payer_org_number, o.payer_name) if o.payer_org_number else None
    )
