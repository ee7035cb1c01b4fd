"""Reads for the separate accounts the state-aid rules require: the 20 % monitor, revenue split, invoice basis.

Everything here reads bookings, so it lives above booking (nothing below imports accounting). Figures come from
the price snapshot and the charged amounts each booking stores; nothing is priced again here (what a late
cancellation costs is pricing's rule, `pricing.charges.cancellation_charge`). Rules, in one place:

- Economic capacity (state aid, R&D&I Framework §20): a booking counts when its use is economic and its
  status is confirmed, completed or no-show. Its use is economic when its activity is (pricing decides it from
  verified facts), and always when a company booked it without a collaboration agreement (§21: renting to
  companies, services and contract research are economic), whatever a booking made before the server decided
  the activity says. A confirmed booking has the capacity allocated to it already, and a
  no-show held the slot all the same. Pending, rejected, expired and cancelled bookings allocate nothing.
  Hours are the part of [start, end) that falls in the calendar year in Europe/Oslo.
- Chargeable: completed and no-show bookings (a no-show held the slot, so it is charged in full unless the
  booking app set a different charged amount), and cancelled bookings whose charged total is above zero (a
  late cancellation). The charged amounts are `charged_*` (set by booking when the use is recorded or the
  booking cancelled), falling back to the snapshot for completed and no-show bookings recorded before that.
  Bookings without a price (or charged zero) are left out, and so is everything pending or confirmed: a
  confirmed booking becomes chargeable when it is completed, on its own after its end
  (booking.services.bookings_complete_due) or by a manager.
- Periods and years are dates in Europe/Oslo; a booking belongs to the period or year its start falls in.
- Service orders (staff-run work at an agreed price, booking.ServiceOrder) are chargeable once delivered, at
  their stored amounts, and belong to the period or year their delivery falls in. Ordered and cancelled orders
  are never charged. They have no hours: they count in the revenue split by their activity (net amount), not in
  the hours of the 20 % monitor.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    F,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import UserKind
from booking.choices import USE_RECORDED_STATUSES, Activity, BookingStatus, ServiceOrderStatus
from booking.models import Booking, ServiceOrder
from catalogue.models import Facility, Institution, Resource
from core.validators import format_org_number
from pricing import selectors as pricing_selectors
from pricing.choices import PriceTier, PriceUnit
from pricing.tdi import round_ore

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
ZERO = Decimal("0.00")

ECONOMIC_CAPACITY_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
CHARGED_IN_FULL_STATUSES = USE_RECORDED_STATUSES  # their use is recorded: completed (on its own, or by a manager)

LEVEL_OK = "ok"
LEVEL_WARNING = "warning"
LEVEL_ALERT = "alert"
LEVEL_UNKNOWN = "unknown"  # no capacity known for the resource
LEVEL_LABELS = {
    LEVEL_OK: _("Below the warning line"),
    LEVEL_WARNING: _("Warning: economic use approaches the state-aid line"),
    LEVEL_ALERT: _("Alert: economic use at or above the state-aid line"),
    LEVEL_UNKNOWN: _("Capacity unknown"),
}


def money(value) -> Decimal:
    """Any number as an amount in øre, rounded half up as pricing rounds (the rounding Norwegian invoices use)."""
    return round_ore(Decimal(value))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar year in Europe/Oslo as a half-open UTC-aware interval."""
    return datetime.datetime(year, 1, 1, tzinfo=OSLO), datetime.datetime(year + 1, 1, 1, tzinfo=OSLO)


def period_bounds(first_day: datetime.date, last_day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Dates from `first_day` to `last_day`, both included, as a half-open interval in Europe/Oslo."""
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=OSLO)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=OSLO)
    return start, end


def current_year() -> int:
    return timezone.localtime(timezone.now(), OSLO).year


def thresholds() -> tuple[Decimal, Decimal]:
    """(warning share, alert share) from settings, as decimals (0.15 and 0.20 unless configured)."""
    return Decimal(str(settings.STATE_AID_WARNING_SHARE)), Decimal(str(settings.STATE_AID_ALERT_SHARE))


def percent_text(share: Decimal) -> str:
    """0.15 -> "15", 0.125 -> "12.5"."""
    return format((share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f").removesuffix(".0")


# --- State aid -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateAidShare:
    """Economic use of one resource in one calendar year, against its capacity."""

    resource: Resource
    year: int
    economic_hours: Decimal
    capacity_hours: Decimal | None
    share: Decimal | None  # economic_hours / capacity_hours; None when capacity is unknown
    level: str

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]

    @property
    def share_percent(self) -> Decimal | None:
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_level(share: Decimal | None) -> str:
    if share is None:
        return LEVEL_UNKNOWN
    warning, alert = thresholds()
    if share >= alert:
        return LEVEL_ALERT
    if share >= warning:
        return LEVEL_WARNING
    return LEVEL_OK


def economic_use(prefix: str = "") -> Q:
    """The bookings whose use is economic for the state-aid count (see the module's docstring); `prefix` is the
    path to the booking ("bookings__" from a resource)."""
    return Q(**{f"{prefix}activity": Activity.ECONOMIC}) | Q(
        **{f"{prefix}user__kind": UserKind.COMPANY, f"{prefix}collaboration_agreement__isnull": True}
    )


def state_aid_shares(*, resources, year: int) -> list[StateAidShare]:
    """Economic hours, capacity and share for each resource in `resources` (a queryset) in `year`.

    One aggregate query for the hours of all resources; capacity comes from pricing's cost bases
    (`annual_capacity_hours_for_resources`, one query for all).
    Resources that cannot be booked and have no economic hours are left out.
    """
    year_start, year_end = year_bounds(year)
    in_year = economic_use("bookings__") & Q(
        bookings__status__in=ECONOMIC_CAPACITY_STATUSES,
        bookings__start__lt=year_end,
        bookings__end__gt=year_start,
    )
    # The part of each booking inside the year: min(end, year end) - max(start, year start).
    clipped = Least(F("bookings__end"), Value(year_end, output_field=DateTimeField())) - Greatest(
        F("bookings__start"), Value(year_start, output_field=DateTimeField())
    )
    rows = (
        resources.select_related("facility")
        .annotate(economic_duration=Sum(clipped, output_field=DurationField(), filter=in_year))
        .order_by("facility__name", "name", "id")
    )
    rows = [r for r in rows if r.bookable or r.economic_duration]
    capacities = pricing_selectors.annual_capacity_hours_for_resources(resources=rows, year=year)
    shares = []
    for resource in rows:
        duration = resource.economic_duration or datetime.timedelta(0)
        hours = money(Decimal(duration.total_seconds()) / Decimal(3600))
        capacity = capacities.get(resource.id)
        capacity = Decimal(capacity) if capacity else None
        share = (hours / capacity) if capacity else None
        shares.append(
            StateAidShare(
                resource=resource,
                year=year,
                economic_hours=hours,
                capacity_hours=capacity,
                share=share,
                level=share_level(share),
            )
        )
    return shares


def resources_of_facilities(facility_ids):
    return Resource.objects.filter(facility_id__in=list(facility_ids))


def resources_with_economic_use(*, year: int):
    """Resources with at least one booking that allocates economic capacity in `year` (the monitor's candidates)."""
    year_start, year_end = year_bounds(year)
    bookings = Booking.objects.filter(
        economic_use(),
        status__in=ECONOMIC_CAPACITY_STATUSES,
        start__lt=year_end,
        end__gt=year_start,
    )
    return Resource.objects.filter(id__in=Subquery(bookings.values("resource_id")))


# --- Chargeable bookings ---------------------------------------------------------------------------------------

_AMOUNT = DecimalField(max_digits=12, decimal_places=2)


def _charged(charged_field: str, snapshot_field: str):
    """The charged amount: charged_* for cancellations, else charged_* falling back to the snapshot."""
    return Case(
        When(status=BookingStatus.CANCELLED, then=F(charged_field)),
        default=Coalesce(F(charged_field), F(snapshot_field)),
        output_field=_AMOUNT,
    )


def chargeable_bookings(*, facility_ids, start: datetime.datetime, end: datetime.datetime):
    """Bookings to invoice that start in [start, end) at the given facilities, annotated with charged_net/vat/total.

    Annotations are named `net`, `vat` and `total` so they do not clash with the model's charged_* fields.
    """
    return (
        Booking.objects.filter(resource__facility_id__in=list(facility_ids), start__gte=start, start__lt=end)
        .filter(status__in=(*CHARGED_IN_FULL_STATUSES, BookingStatus.CANCELLED))
        .annotate(
            net=_charged("charged_net_amount", "net_amount"),
            vat=_charged("charged_vat_amount", "vat_amount"),
            total=_charged("charged_total_amount", "total_amount"),
        )
        .filter(total__gt=0)
    )


def delivered_service_orders(*, facility_ids, start: datetime.datetime, end: datetime.datetime):
    """Service orders delivered in [start, end) at the given facilities, with a price above zero: chargeable at
    their stored net, VAT and total amounts."""
    return ServiceOrder.objects.filter(
        resource__facility_id__in=list(facility_ids),
        status=ServiceOrderStatus.DELIVERED,
        delivered_at__gte=start,
        delivered_at__lt=end,
        total_amount__gt=0,
    )


# --- Revenue split ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueRow:
    """Charged revenue of one facility in one year for one kind of activity (economic or non-economic)."""

    facility_id: int
    facility_name: str
    year: int
    activity: str
    bookings: int
    net_amount: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    service_orders: int = 0  # delivered service orders, whose amounts are in the sums too

    @property
    def activity_label(self):
        return Activity(self.activity).label


def revenue_split(*, facilities, year: int) -> list[RevenueRow]:
    """Revenue per facility and activity in `year`, both activities listed for every facility (zero if none).

    One aggregate query. `facilities` is an iterable of Facility objects (the rows are named from it).
    """
    facilities = list(facilities)
    year_start, year_end = year_bounds(year)
    sums = (
        chargeable_bookings(facility_ids=[f.id for f in facilities], start=year_start, end=year_end)
        .values("resource__facility_id", "activity")
        .annotate(count=Count("id"), net_sum=Sum("net"), vat_sum=Sum("vat"), total_sum=Sum("total"))
        .order_by()
    )
    by_key = {(row["resource__facility_id"], row["activity"]): row for row in sums}
    orders = (
        delivered_service_orders(facility_ids=[f.id for f in facilities], start=year_start, end=year_end)
        .values("resource__facility_id", "activity")
        .annotate(
            count=Count("id"), net_sum=Sum("net_amount"), vat_sum=Sum("vat_amount"), total_sum=Sum("total_amount")
        )
        .order_by()
    )
    orders_by_key = {(row["resource__facility_id"], row["activity"]): row for row in orders}
    rows = []
    for facility in sorted(facilities, key=lambda f: (f.name, f.id)):
        for activity in (Activity.ECONOMIC, Activity.NON_ECONOMIC):
            row = by_key.get((facility.id, activity), {})
            order_row = orders_by_key.get((facility.id, activity), {})
            rows.append(
                RevenueRow(
                    facility_id=facility.id,
                    facility_name=facility.name,
                    year=year,
                    activity=str(activity),
                    bookings=row.get("count", 0),
                    net_amount=money((row.get("net_sum") or 0) + (order_row.get("net_sum") or 0)),
                    vat_amount=money((row.get("vat_sum") or 0) + (order_row.get("vat_sum") or 0)),
                    total_amount=money((row.get("total_sum") or 0) + (order_row.get("total_sum") or 0)),
                    service_orders=order_row.get("count", 0),
                )
            )
    return rows


# --- Invoice basis ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    """One booking (or delivered service order) as a line to invoice, with the charged amounts.

    Quantity × unit price equals the net amount. When a charge differs from the snapshot (a late cancellation
    charged in part), the line is one unit at the charged net amount.
    """

    booking_id: int | None  # None on a service order's line
    resource_name: str
    facility_name: str
    date: datetime.date
    status: str
    activity: str
    tier: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    currency: str
    booked_by: str
    vat_category: str = ""  # EN 16931: S, Z, E or O, as the booking was made with (pricing.terms)
    vat_reason_code: str = ""
    vat_reason: str = ""
    service_order_id: int | None = None  # a delivered service order's line (booking_id is None then)

    @property
    def item_id(self) -> str:
        """What the line invoices, as the seller names it on an invoice: "booking-12" or "service-order-3"."""
        if self.service_order_id is not None:
            return f"service-order-{self.service_order_id}"
        return f"booking-{self.booking_id}"

    @property
    def internal_transfer(self) -> bool:
        """Use by the owning institution itself: charged internally, never invoiced (no EHF document)."""
        return self.tier == PriceTier.INTERNAL

    @property
    def vat_percent(self) -> Decimal:
        """The VAT rate as a percentage (25), for people; `vat_rate` stays the fraction files use (0.25)."""
        return self.vat_rate * 100

    @property
    def unit_label(self) -> str:
        """The unit in the reader's language ("time", "prøve"); `unit` stays the code the API and EHF use."""
        try:
            return str(PriceUnit(self.unit).label)
        except ValueError:
            return self.unit


@dataclass
class PayerInvoiceBasis:
    """Everything one paying organisation is to be invoiced for in the period."""

    name: str
    org_number: str
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def org_number_display(self) -> str:
        """The organisation number as Norwegians write it: NNN NNN NNN (files keep the nine plain digits)."""
        return format_org_number(self.org_number)

    @property
    def net_amount(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), ZERO)

    @property
    def vat_amount(self) -> Decimal:
        return sum((line.vat_amount for line in self.lines), ZERO)

    @property
    def total_amount(self) -> Decimal:
        return sum((line.total_amount for line in self.lines), ZERO)


@dataclass
class InvoiceBasis:
    """The invoice basis (fakturagrunnlag) for a period, per paying organisation."""

    first_day: datetime.date
    last_day: datetime.date
    payers: list[PayerInvoiceBasis]
    # Payers not invoiced yet: organisations Brønnøysundregistrene has not verified (or whose number no registered
    # organisation carries). Their lines wait here, out of every total, export and EHF invoice, until verified.
    held: list[PayerInvoiceBasis] = field(default_factory=list)

    @property
    def net_amount(self) -> Decimal:
        return sum((payer.net_amount for payer in self.payers), ZERO)

    @property
    def vat_amount(self) -> Decimal:
        return sum((payer.vat_amount for payer in self.payers), ZERO)

    @property
    def total_amount(self) -> Decimal:
        return sum((payer.total_amount for payer in self.payers), ZERO)

    def payer(self, org_number: str) -> PayerInvoiceBasis | None:
        return next((p for p in self.payers if p.org_number and p.org_number == org_number), None)

    def payer_named(self, name: str) -> PayerInvoiceBasis | None:
        """A payer without a Norwegian organisation number (a foreign company, say), by the name it booked with."""
        return next((p for p in self.payers if not p.org_number and p.name == name), None)


def _line(booking) -> InvoiceLine:
    net, vat, total = money(booking.net), money(booking.vat or 0), money(booking.total)
    quantity, unit_price, unit = booking.quantity, booking.unit_price, booking.price_unit or "fixed"
    description = booking.resource.name
    if booking.status == BookingStatus.CANCELLED:
        description = _("%(resource)s – late cancellation") % {"resource": booking.resource.name}
    elif booking.status == BookingStatus.NO_SHOW:
        description = _("%(resource)s – not attended") % {"resource": booking.resource.name}
    if quantity is None or unit_price is None or money(quantity * unit_price) != net:
        quantity, unit_price, unit = Decimal("1"), net, "fixed"
    vat_rate = booking.vat_rate if booking.vat_rate is not None else (money(vat / net) if net else ZERO)
    return InvoiceLine(
        booking_id=booking.id,
        resource_name=booking.resource.name,
        facility_name=booking.resource.facility.name,
        date=timezone.localtime(booking.start, OSLO).date(),
        status=booking.status,
        activity=booking.activity,
        tier=booking.price_tier,
        description=str(description),
        quantity=quantity,
        unit=unit,
        unit_price=money(unit_price),
        net_amount=net,
        vat_rate=vat_rate,
        vat_amount=vat,
        total_amount=total,
        currency=booking.currency,
        booked_by=booking.user.get_full_name() or booking.user.email,
        vat_category=booking.vat_category,
        vat_reason_code=booking.vat_reason_code,
        vat_reason=booking.vat_reason,
    )


def _order_line(order) -> InvoiceLine:
    """A delivered service order as a line, at the amounts stored when the quote was accepted."""
    net, vat, total = money(order.net_amount), money(order.vat_amount), money(order.total_amount)
    quantity, unit_price, unit = order.quantity, order.unit_price, order.price_unit or "fixed"
    if money(quantity * unit_price) != net:
        quantity, unit_price, unit = Decimal("1"), net, "fixed"
    description = order.resource.name
    if order.description:
        description = f"{order.resource.name} – {order.description}"
    return InvoiceLine(
        booking_id=None,
        service_order_id=order.id,
        resource_name=order.resource.name,
        facility_name=order.resource.facility.name,
        date=timezone.localtime(order.delivered_at, OSLO).date(),
        status=order.status,
        activity=order.activity,
        tier=order.price_tier,
        description=description[:500],
        quantity=quantity,
        unit=unit,
        unit_price=money(unit_price),
        net_amount=net,
        vat_rate=order.vat_rate,
        vat_amount=vat,
        total_amount=total,
        currency=order.currency,
        booked_by=order.user.get_full_name() or order.user.email,
        vat_category=order.vat_category,
        vat_reason_code=order.vat_reason_code,
        vat_reason=order.vat_reason,
    )


def invoice_basis(*, facility_ids, first_day: datetime.date, last_day: datetime.date) -> InvoiceBasis:
    """Chargeable bookings at the facilities that start from `first_day` to `last_day`, and service orders
    delivered in those days, per paying organisation.

    A payer is identified by its organisation number (the booking's, else the paying institution's), and by
    name when neither has one. Two queries (bookings, service orders).
    """
    start, end = period_bounds(first_day, last_day)
    bookings = chargeable_bookings(facility_ids=facility_ids, start=start, end=end)
    orders = delivered_service_orders(facility_ids=facility_ids, start=start, end=end)
    return _basis(bookings, orders=orders, first_day=first_day, last_day=last_day)


def invoice_basis_of_bookings(*, facility_ids, booking_ids) -> InvoiceBasis:
    """The invoice basis of the named bookings only, whenever they took place (what a credit note credits); its
    period runs from the first to the last of them. Bookings that are not chargeable, or not at the
    facilities, are left out (the caller compares the ids)."""
    bookings = (
        Booking.objects.filter(resource__facility_id__in=list(facility_ids), pk__in=list(booking_ids))
        .filter(status__in=(*CHARGED_IN_FULL_STATUSES, BookingStatus.CANCELLED))
        .annotate(
            net=_charged("charged_net_amount", "net_amount"),
            vat=_charged("charged_vat_amount", "vat_amount"),
            total=_charged("charged_total_amount", "total_amount"),
        )
        .filter(total__gt=0)
    )
    basis = _basis(bookings, first_day=None, last_day=None)
    dates = [line.date for payer in basis.payers for line in payer.lines]
    if dates:
        basis.first_day, basis.last_day = min(dates), max(dates)
    return basis


def invoiceable(booking) -> bool:
    """Whether the booking's (or service order's) payer may be invoiced: an institution, a person by name, or an
    organisation that Brønnøysundregistrene has verified. A company number without a verified organisation (an
    impostor number, or the register not reached yet) is never invoiced."""
    if booking.payer_institution_id is not None:
        return True
    if booking.payer_organisation_id is not None:
        return booking.payer_organisation.is_verified
    return not booking.payer_org_number


def _basis(bookings, *, orders=None, first_day, last_day) -> InvoiceBasis:
    related = ("resource__facility", "payer_institution", "payer_organisation", "user")
    bookings = bookings.select_related(*related).order_by("payer_name", "start", "id")
    items = [(booking, _line(booking)) for booking in bookings]
    if orders is not None:
        orders = orders.select_related(*related).order_by("payer_name", "delivered_at", "id")
        items += [(order, _order_line(order)) for order in orders]
        items.sort(key=lambda item: (item[0].payer_name, item[1].date))  # stable: bookings before orders on a day
    payers: dict[tuple, PayerInvoiceBasis] = {}
    held: dict[tuple, PayerInvoiceBasis] = {}
    for source, line in items:
        org_number = source.payer_org_number or (
            source.payer_institution.org_number if source.payer_institution else ""
        )
        name = source.payer_name or (source.payer_institution.name if source.payer_institution else "")
        key = ("org", org_number) if org_number else ("name", name)
        target = payers if invoiceable(source) else held
        payer = target.setdefault(key, PayerInvoiceBasis(name=name, org_number=org_number))
        payer.lines.append(line)

    def ordered(found):
        return sorted(found.values(), key=lambda p: (p.name.lower(), p.org_number))

    return InvoiceBasis(first_day=first_day, last_day=last_day, payers=ordered(payers), held=ordered(held))


# --- Scopes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountsScope:
    """The facilities whose accounts are asked for: one facility, or every facility of an institution."""

    institution: Institution
    facility: Facility | None
    facilities: tuple

    @property
    def id(self) -> int:
        """The facility's id, or the institution's for an institution's accounts."""
        return self.facility.id if self.facility else self.institution.id

    @property
    def facility_ids(self) -> list[int]:
        return [f.id for f in self.facilities]

    @property
    def name(self) -> str:
        return self.facility.name if self.facility else self.institution.name

    @property
    def kind(self) -> str:
        return "facility" if self.facility else "institution"


def facility_scope(facility_id: int) -> AccountsScope:
    """Raises Facility.DoesNotExist."""
    facility = Facility.objects.select_related("institution").get(pk=facility_id)
    return AccountsScope(institution=facility.institution, facility=facility, facilities=(facility,))


def institution_scope(institution_id: int) -> AccountsScope:
    """Raises Institution.DoesNotExist."""
    institution = Institution.objects.get(pk=institution_id)
    facilities = tuple(Facility.objects.filter(institution=institution).order_by("name"))
    return AccountsScope(institution=institution, facility=None, facilities=facilities)


def accounts_scope(*, kind: str, pk: int) -> AccountsScope:
    """The accounts of facility `pk` (`kind` "facility") or of institution `pk` (`kind` "institution").

    Raises Facility.DoesNotExist or Institution.DoesNotExist.
    """
    return facility_scope(pk) if kind == "facility" else institution_scope(pk)
