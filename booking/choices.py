from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


# Pending and confirmed bookings hold their slot; the others do not.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class Activity(models.TextChoices):
    """Economic or non-economic use: it decides the price tier and counts towards the 20 % state-aid line."""

    ECONOMIC = "economic", _("Economic activity")
    NON_ECONOMIC = "non_economic", _("Non-economic activity")
