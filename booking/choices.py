from django.db import models
from django.utils.translation import gettext_lazy as _

from pricing.choices import Activity  # noqa: F401  (economic or non-economic use: decides the tier, counts for state aid)


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


class ClosureKind(models.TextChoices):
    """Why a resource cannot be booked. Users only ever see "unavailable"; the kind is for managers."""

    MAINTENANCE = "maintenance", _("Maintenance")
    INTERNAL_USE = "internal_use", _("Internal use")
    # Norwegian public holidays, added for a year at a time by the manager (booking.services.calendar).
    PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
    # Preparedness reserve (beredskapskapasitet): hospitals keep it free for emergencies. Never offered to
    # external users; users of the owning institution may still book it.
    PREPAREDNESS = "preparedness", _("Preparedness reserve (beredskap)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BookingAction(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    USE_ADJUSTED = "use_adjusted", _("Used time adjusted")


class ChargeState(models.TextChoices):
    """What a booking means for the invoice, as the booking's page and the API say it: nothing is chargeable
    before the use has taken place (or a late cancellation), and a free cancellation is never charged."""

    NOT_YET_CHARGEABLE = "not_yet_chargeable", _("Not yet chargeable")
    CHARGEABLE = "chargeable", _("Chargeable")
    NOT_CHARGED = "not_charged", _("Not charged")


# Bookings whose use has been recorded: they go to the invoice basis with their charged amounts.
USE_RECORDED_STATUSES = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class ConflictMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    SKIP_CONFLICTS = "skip_conflicts", _("Skip conflicting dates")


class ServiceOrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
