from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting e-mail confirmation")
    IN_SCREENING = "in_screening", _("Being reviewed")  # plain words: the requester reads it
    NEEDS_INFO = "needs_info", _("Needs more information")
    ROUTED = "routed", _("Routed to facilities")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


# States in which someone at an institution owes the requester an answer by the deadline.
CLOCK_RUNNING = frozenset({RequestStatus.IN_SCREENING, RequestStatus.ROUTED})
# A request without an account is in nobody's queue until its e-mail address is confirmed.
NOT_YET_IN_QUEUE = frozenset({RequestStatus.SUBMITTED, RequestStatus.AWAITING_CONFIRMATION})


class Sector(models.TextChoices):
    PHARMA = "pharma", _("Pharmaceuticals")
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    EHEALTH = "ehealth", _("E-health / health IT")
    MEDTECH = "medtech", _("Medtech")
    OTHER = "other", _("Other")


class Phase(models.TextChoices):
    RESEARCH = "research", _("Research")
    DEVELOPMENT = "development", _("Development")
    TESTING = "testing", _("Testing")
    PILOTING = "piloting", _("Piloting")
    PRODUCTION = "production", _("Production")


class PreferredAccessModel(models.TextChoices):
    """The four access models of the report (4.1), plus 'not sure' for a company that does not know yet."""

    RENTAL = "rental", _("Rental of the infrastructure")
    SERVICE = "service", _("Service performed by staff")
    COMMISSIONED = "commissioned", _("Commissioned research")
    COLLABORATION = "collaboration", _("Collaboration research")
    UNSURE = "unsure", _("Not sure")


class BudgetRange(models.TextChoices):
    UNKNOWN = "", _("Not known")
    UNDER_50K = "under_50k", _("Under NOK 50 000")
    FROM_50K_TO_250K = "50k_250k", _("NOK 50 000 – 250 000")
    FROM_250K_TO_1M = "250k_1m", _("NOK 250 000 – 1 million")
    OVER_1M = "over_1m", _("Over NOK 1 million")


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Outside what we offer")
    NO_CAPACITY = "no_capacity", _("No capacity in the timeframe")
    UNCLEAR = "unclear", _("The need is unclear")
    NOT_FEASIBLE = "not_feasible", _("Not technically feasible")
    BUDGET = "budget", _("Budget does not cover the cost")
    OTHER = "other", _("Other")


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam")
    COMPLETED = "completed", _("Completed")
    UNCONFIRMED = "unconfirmed", _("E-mail never confirmed")
    REFERRED = "referred", _("Referred elsewhere")


class RoutingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the facility")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class ProposalKind(models.TextChoices):
    BOOKING = "booking", _("A booking")
    QUOTE = "quote", _("A quote")
    AGREEMENT = "agreement", _("An agreement")


class QuoteUnit(models.TextChoices):
    """What a quoted amount is counted in; the codes are pricing's price units, so that the full-cost floor can
    check the amount (pricing.selectors.quote_floor_check)."""

    HOUR = "hour", _("hours")
    HALF_DAY = "half_day", _("half days")
    DAY = "day", _("days")
    SAMPLE = "sample", _("samples")


class AgreementType(models.TextChoices):
    RENTAL = "rental", _("Rental of the infrastructure")
    SERVICE = "service", _("Service performed by staff")
    COMMISSIONED = "commissioned", _("Commissioned research")
    COLLABORATION = "collaboration", _("Collaboration research")


class ApiClientKind(models.TextChoices):
    CLUSTER = "cluster", _("Cluster")
    TTO = "tto", _("Technology transfer office")


class Scope(models.TextChoices):
    CATALOGUE_READ = "catalogue:read", _("Read the register")
    INTAKE_READ = "intake:read", _("Follow own requests")
    INTAKE_WRITE = "intake:write", _("Send requests and messages")


class AuthorRole(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    SCREENER = "screener", _("Contact person at Labtorget")  # plain words: the requester reads it
    MANAGER = "manager", _("Facility manager")
    SYSTEM = "system", _("Labtorget")


class ReferralKind(models.TextChoices):
    """Where outside the register a screener can send a request (report 7.3.3)."""

    CLUSTER = "cluster", _("An industry cluster")
    NATIONAL_PLATFORM = "national_platform", _("Another national platform")
    INSTITUTE = "institute", _("A research institute")
    OTHER = "other", _("Somewhere else")


class RequesterDecision(models.TextChoices):
    """The requester's answer to a facility's proposal."""

    ACCEPTED = "accepted", _("Accepted by you")
    DECLINED = "declined", _("Declined by you")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
