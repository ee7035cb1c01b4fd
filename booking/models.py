from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.choices import Activity, BookingStatus
from catalogue.choices import AccessModel


class Booking(models.Model):
    """One use of a resource in a time interval by one user, paid by one organisation.

    The price fields are the snapshot taken from pricing.selectors.booking_quote() when the booking is made, so
    a later price list never changes what an existing booking costs. `charged_*` is what is invoiced: the
    snapshot for a completed booking, adjusted by the cancellation rules for a late cancellation.
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

    # The paying organisation, copied from the user's profile when the booking is made.
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
    # What is charged: equals the snapshot unless a cancellation rule changed it.
    charged_net_amount = models.DecimalField(
        _("charged net amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    charged_vat_amount = models.DecimalField(_("charged VAT"), max_digits=12, decimal_places=2, null=True, blank=True)
    charged_total_amount = models.DecimalField(
        _("charged total"), max_digits=12, decimal_places=2, null=True, blank=True
    )

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
        ]

    def __str__(self):
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    @property
    def hours(self):
        return (self.end - self.start).total_seconds() / 3600

from booking.accounting_models import StateAidAlert  # noqa: E402, F401  (the state-aid monitor's model)
