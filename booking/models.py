import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from booking.choices import (
    USE_RECORDED_STATUSES,
    Activity,
    BookingAction,
    BookingStatus,
    ChargeState,
    ClosureKind,
    ServiceOrderStatus,
    Weekday,
)
from booking.constraints import PostgresExclusionConstraint, TsTzRange
from catalogue.choices import AccessModel
from pricing.choices import PriceUnit, VatCategory


class Booking(models.Model):
    """One use of a resource in a time interval by one user, paid by one organisation.

    The price fields are the snapshot taken from pricing.selectors.booking_quote() when the booking is made, so
    a later price list never changes what an existing booking costs (a manager's adjustment of the used time is
    quoted again). `charged_*` is what goes to the invoice basis, set when the booking becomes chargeable or not:
    the snapshot when its use is recorded (completed, no-show), the cancellation rules' charge when it is
    cancelled; empty while it is pending or confirmed.
    """

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.PROTECT, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING, db_index=True
    )
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices)
    access_model = models.CharField(_("access model"), max_length=16, choices=AccessModel.choices)
    purpose = models.TextField(_("purpose"), blank=True)

    # The payer when the booking is made (accounts.selectors.payer_for): an organisation the user is an approved
    # member of, the institution of a verified affiliation, or the user by name; name and number are a snapshot.
    payer_name = models.CharField(_("paying organisation"), max_length=200, blank=True)
    payer_org_number = models.CharField(_("organisation number of the payer"), max_length=9, blank=True)
    payer_institution = models.ForeignKey(
        "catalogue.Institution",
        verbose_name=_("paying institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("paying organisation (registered)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )

    # Price snapshot (pricing.selectors.Quote); empty when the resource had no price list.
    price_tier = models.CharField(_("price tier"), max_length=32, blank=True)
    price_unit = models.CharField(_("price unit"), max_length=16, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, null=True, blank=True)
    net_amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, null=True, blank=True)
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="NOK")
    price_list_id = models.BigIntegerField(_("price list"), null=True, blank=True)
    # VAT by the transaction (pricing.terms): the EN 16931 category and, but for S and Z, the reason on the invoice.
    vat_category = models.CharField(_("VAT category"), max_length=1, choices=VatCategory.choices, blank=True)
    vat_reason_code = models.CharField(_("VAT exemption reason code"), max_length=30, blank=True)
    vat_reason = models.CharField(_("VAT reason"), max_length=300, blank=True)
    # The approved collaboration agreement that makes this use non-economic (pricing.terms); empty otherwise.
    collaboration_agreement = models.ForeignKey(
        "pricing.CollaborationAgreement", verbose_name=_("collaboration agreement"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="bookings",
    )  # fmt: skip
    # What is charged: equals the snapshot unless a cancellation rule changed it.
    charged_net_amount = models.DecimalField(
        _("charged net amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    charged_vat_amount = models.DecimalField(_("charged VAT"), max_digits=12, decimal_places=2, null=True, blank=True)
    charged_total_amount = models.DecimalField(
        _("charged total"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    # The end plus the resource's changeover buffer: the slot stays taken until then. The exclusion constraint
    # works on [start, blocked_until), so cleaning time between users is guarded by the database too.
    blocked_until = models.DateTimeField(_("blocked until"), null=True, blank=True)
    # A pending request holds its slot until a manager answers, at most until this moment.
    expires_at = models.DateTimeField(_("answer needed by"), null=True, blank=True)
    recurrence_group = models.UUIDField(_("series"), null=True, blank=True, db_index=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["resource", "start"], name="booking_resource_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(net_amount__isnull=True) | Q(net_amount__gte=0), name="booking_net_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(charged_total_amount__isnull=True) | Q(charged_total_amount__gte=0),
                name="booking_charged_not_negative",
            ),
            # The first request stored holds the slot: two active bookings of one resource never overlap,
            # changeover buffer included. PostgreSQL only (btree_gist); on SQLite the service serialises writers.
            PostgresExclusionConstraint(
                name="booking_no_overlapping_active_bookings",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("start", Coalesce("blocked_until", "end")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["pending", "confirmed"]),
                violation_error_message=_("The resource is already booked at that time."),
            ),
        ]

    def __str__(self):
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.blocked_until is None and self.end is not None:
            self.blocked_until = self.end
        super().save(*args, **kwargs)

    @property
    def hours(self):
        return (self.end - self.start).total_seconds() / 3600

    @property
    def is_active(self) -> bool:
        return self.status in ("pending", "confirmed")

    @property
    def charge_state(self) -> str:
        """Chargeable once its use is recorded (completed, no-show) or it was cancelled late with a charge; not
        yet chargeable while pending or confirmed; otherwise (rejected, expired, free cancellation, no price)
        not charged."""
        if self.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
            return ChargeState.NOT_YET_CHARGEABLE
        charged = self.charged_total_amount
        if self.status in USE_RECORDED_STATUSES and charged is None:
            charged = self.total_amount  # recorded before charged amounts were set at completion
        if self.status in (*USE_RECORDED_STATUSES, BookingStatus.CANCELLED) and charged:
            return ChargeState.CHARGEABLE
        return ChargeState.NOT_CHARGED


class BookingPolicy(models.Model):
    """The calendar rules of one bookable resource. A resource without a policy cannot be booked."""

    resource = models.OneToOneField(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="booking_policy"
    )
    time_zone = models.CharField(_("time zone"), max_length=40, default="Europe/Oslo")
    slot_minutes = models.PositiveIntegerField(
        _("slot granularity (minutes)"), default=30, help_text=_("Bookings start and end on this grid.")
    )
    min_length_minutes = models.PositiveIntegerField(_("minimum length (minutes)"), default=30)
    max_length_minutes = models.PositiveIntegerField(_("maximum length (minutes)"), default=8 * 60)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=60)
    max_advance_days = models.PositiveIntegerField(_("maximum advance (days)"), default=180)
    buffer_minutes = models.PositiveIntegerField(
        _("changeover buffer (minutes)"), default=0, help_text=_("Cleaning or changeover time after each booking.")
    )
    requires_approval = models.BooleanField(_("a manager must approve"), default=False)
    requires_qualification = models.BooleanField(_("users need a valid qualification (training)"), default=False)
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("cancellation deadline (hours before start)"), default=24
    )
    approval_deadline_hours = models.PositiveIntegerField(_("pending requests expire after (hours)"), default=72)
    # A facility that keeps its own booking system: Labtorget shows the free time (its external calendars' busy
    # time counted) and sends the user to the local system instead of taking the booking.
    booked_in_local_system = models.BooleanField(
        _("booked in the local system"),
        default=False,
        help_text=_(
            "Labtorget then shows the free time read from the resource's external calendars and a link to the "
            "local system, and takes no bookings itself."
        ),
    )
    local_system_name = models.CharField(_("name of the local system"), max_length=100, blank=True)
    local_booking_url = models.CharField(
        _("booking address in the local system"),
        max_length=500,
        blank=True,
        help_text=_(
            "An https:// address. Where the local system can take them, {start} and {end} are replaced by the "
            "chosen times (local time, e.g. 2027-03-15T09:00) and {date} by the date."
        ),
    )

    class Meta:
        verbose_name = _("booking policy")
        verbose_name_plural = _("booking policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_length_minutes__gte=models.F("min_length_minutes")),
                name="booking_policy_max_length_not_below_min",
                violation_error_message=_("The maximum length cannot be shorter than the minimum length."),
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="booking_policy_slot_positive"),
        ]

    def __str__(self):
        return str(self.resource)

    def clean(self):
        super().clean()
        if self.booked_in_local_system:
            errors = {}
            if not self.local_system_name.strip():
                errors["local_system_name"] = _("Name the local system the resource is booked in.")
            if not self.local_booking_url.strip():
                errors["local_booking_url"] = _("Give the address where the resource is booked.")
            if errors:
                raise ValidationError(errors)
        if self.local_booking_url:
            try:
                example = self.local_booking_url.format(
                    start="2027-03-15T09:00", end="2027-03-15T10:00", date="2027-03-15"
                )
                URLValidator(schemes=["http", "https"])(example)
            except (KeyError, IndexError, ValueError, ValidationError):
                raise ValidationError(
                    {
                        "local_booking_url": _(
                            "Give an http:// or https:// address; only {start}, {end} and {date} may stand in braces."
                        )
                    }
                ) from None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def buffer(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_minutes)


class OpeningHours(models.Model):
    """One opening interval of a resource on a weekday, in the policy's local time. Several a day are allowed."""

    policy = models.ForeignKey(
        BookingPolicy, verbose_name=_("booking policy"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")),
                name="booking_openinghours_closes_after_opens",
                violation_error_message=_("Closing time must be after opening time."),
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """A period when a resource cannot be booked. Users see only "unavailable", never the internal note."""

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="closures"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ClosureKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    internal_note = models.CharField(_("internal note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        indexes = [models.Index(fields=["resource", "start"], name="booking_closure_resource_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="booking_closure_end_after_start",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self):
        return f"{self.resource}: {self.get_kind_display()} {self.start:%Y-%m-%d}"


class Qualification(models.Model):
    """A manager's record that a user is trained to use a resource on their own, optionally until a date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="qualifications"
    )
    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="qualifications"
    )
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"],
                name="booking_qualification_unique",
                violation_error_message=_("This person already has a qualification for the resource."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.resource}"


class BookingEvent(models.Model):
    """One change in a booking's life: who did what, when, and why."""

    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("what"), max_length=16, choices=BookingAction.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self):
        return f"{self.booking_id} {self.action}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, returned again when the client retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="booking_idempotency_unique")]

    def __str__(self):
        return self.key


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeedToken(models.Model):
    """The secret in a private calendar feed's address: a user's own bookings, or a facility's for managers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    facility = models.ForeignKey("catalogue.Facility", on_delete=models.CASCADE, null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "facility"], name="booking_feedtoken_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(facility__isnull=True), name="booking_feedtoken_one_personal"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.facility or ''}".strip()


class ServiceOrder(models.Model):
    """Staff-run work ordered from a facility (access model "service", or commissioned research): so many hours,
    days or samples of a resource, done by the facility's staff at an agreed price, with no time slot to hold.

    Made when a company accepts a facility's quote (intake). Like a booking it records the payer, the terms pricing
    decided (activity, VAT) and its price; `reference` says where it came from (the request and the agreement).
    """

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.PROTECT, related_name="service_orders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="service_orders"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ServiceOrderStatus.choices, default=ServiceOrderStatus.ORDERED
    )
    access_model = models.CharField(_("access model"), max_length=16, choices=AccessModel.choices)
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices)
    description = models.TextField(_("what is ordered"), blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    payer_name = models.CharField(_("paying organisation"), max_length=200, blank=True)
    payer_org_number = models.CharField(_("organisation number of the payer"), max_length=9, blank=True)
    payer_institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("paying institution"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    payer_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("paying organisation (registered)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="service_orders",
    )  # fmt: skip
    price_tier = models.CharField(_("price tier"), max_length=32, blank=True)
    price_unit = models.CharField(_("price unit"), max_length=16, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    net_amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="NOK")
    vat_category = models.CharField(_("VAT category"), max_length=1, choices=VatCategory.choices, blank=True)
    vat_reason_code = models.CharField(_("VAT exemption reason code"), max_length=30, blank=True)
    vat_reason = models.CharField(_("VAT reason"), max_length=300, blank=True)
    collaboration_agreement = models.ForeignKey(
        "pricing.CollaborationAgreement", verbose_name=_("collaboration agreement"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="service_orders",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Its history, kept simple: who marked it delivered or cancelled it, when, and what they noted.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delivered or cancelled by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        constraints = [
            models.CheckConstraint(condition=Q(net_amount__gte=0), name="booking_service_order_net_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="booking_service_order_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.resource} × {self.quantity}"

    @property
    def price_unit_label(self) -> str:
        """The unit in the reader's language ("prøve"); `price_unit` stays the code the API uses."""
        try:
            return str(PriceUnit(self.price_unit).label)
        except ValueError:
            return self.price_unit
