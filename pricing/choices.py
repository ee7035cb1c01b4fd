from django.db import models
from django.utils.translation import gettext_lazy as _


class PriceTier(models.TextChoices):
    """Who pays what (DOMAIN.md): decided by the user's affiliation and the activity, never chosen by the user."""

    INTERNAL = "internal", _("Internal")
    EXTERNAL_NON_ECONOMIC = "external_non_economic", _("External, non-economic")
    EXTERNAL_ECONOMIC = "external_economic", _("External, economic")


class PriceUnit(models.TextChoices):
    HOUR = "hour", _("Hour")
    HALF_DAY = "half_day", _("Half day")
    DAY = "day", _("Day")
    SAMPLE = "sample", _("Sample")
    FIXED = "fixed", _("Fixed fee")


class CapacityUnit(models.TextChoices):
    """What the annual capacity of a cost base is counted in."""

    HOUR = "hour", _("Hours")
    SAMPLE = "sample", _("Samples")


class Activity(models.TextChoices):
    """Economic or non-economic use: it decides the price tier and counts towards the 20 % state-aid line.

    Booking records it on each booking (booking.choices re-exports it).
    """

    ECONOMIC = "economic", _("Economic activity")
    NON_ECONOMIC = "non_economic", _("Non-economic activity")


class FloorBreach(models.TextChoices):
    """Why an external economic price cannot stand against the full-cost floor (state aid, R&D&I Framework §25)."""

    BELOW_FLOOR = "below_floor", _("Below full cost plus the minimum margin")
    NO_COST_BASE = "no_cost_base", _("No cost base to check it against")
    UNIT_NOT_MEASURED = "unit_not_measured", _("The cost base does not count this unit")
    NO_FIXED_FEE_QUANTITY = "no_fixed_fee_quantity", _("The fixed fee does not say how much it covers")


class Transaction(models.TextChoices):
    """What kind of transaction a use of a facility is, for VAT (DOMAIN.md: VAT follows the transaction)."""

    INTERNAL_TRANSFER = "internal_transfer", _("Internal transfer within the owning institution")
    SALE = "sale", _("Sale of rental, service or commissioned research")
    COLLABORATION = "collaboration", _("Collaboration or contribution research under an agreement")


class VatCategory(models.TextChoices):
    """VAT category codes of EN 16931 (UNCL 5305) that Labtorget uses."""

    STANDARD = "S", _("Standard rate")
    ZERO_RATED = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt from VAT")
    OUTSIDE_SCOPE = "O", _("Outside the scope of VAT")


class AgreementStatus(models.TextChoices):
    """Where a collaboration agreement stands: only an approved one makes use non-economic (while it is valid)."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TermsReason(models.TextChoices):
    """Why a person pays the tier they pay: shown with the price on the booking page and in the API."""

    OWN_INSTITUTION = "own_institution", _(
        "You are verified as a member of the institution that owns the facility: internal use, charged internally "
        "without VAT."
    )
    COLLABORATION_AGREEMENT = "collaboration_agreement", _(
        "Collaboration research under an approved collaboration agreement: non-economic use at full cost, outside "
        "the scope of VAT."
    )
    ECONOMIC_USE = "economic_use", _(
        "Rental, a service or commissioned research for anyone outside the owning institution is economic use: "
        "full cost plus a margin, with VAT as the institution's table says."
    )
