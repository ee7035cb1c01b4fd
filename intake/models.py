import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Language
from booking.choices import Frequency
from core.validators import format_org_number, validate_org_number
from intake.choices import (
    AgreementType,
    ApiClientKind,
    AuthorRole,
    BudgetRange,
    CloseReason,
    DeclineReason,
    DeliveryStatus,
    Phase,
    PreferredAccessModel,
    ProposalKind,
    QuoteUnit,
    ReferralKind,
    RequesterDecision,
    RequestStatus,
    RoutingStatus,
    Sector,
)


class ApiClient(models.Model):
    """A cluster or technology transfer office that uses the API with an organisation key.

    Only a SHA-256 hash of the key is stored; the first characters (`key_prefix`) find the row, the hash proves
    the key. The webhook secret must be readable to sign deliveries, so it is stored as it is.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ApiClientKind.choices)
    scopes = models.CharField(_("scopes"), max_length=200, help_text=_("Separated by commas."))
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=64, blank=True)
    # The cluster or TTO the key belongs to (keys made on its page by its admins); empty for a key an operator made
    # on the command line for an organisation not registered here. Requests sent with the key are the
    # organisation's: its staff see them in the portal, and the key sees those its staff sent.
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="api_clients",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    rotated_at = models.DateTimeField(_("key renewed"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return [scope.strip() for scope in self.scopes.split(",") if scope.strip()]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class IntakeRequest(models.Model):
    """A company's request for access to research infrastructure, screened before it reaches researchers.

    `institution` is the screening institution (from the preferred institution or facility); empty means the
    national queue that platform admins screen. `deadline_at` is the response deadline for whoever holds the
    request now (screeners, then managers); it is paused while the request needs information from the requester.
    """

    # What the requester fills in, in the order of the form and the API.
    REQUESTER_FIELDS = (
        "company_name", "org_number", "contact_name", "email", "phone", "sector", "phase", "description",
        "preferred_institution", "preferred_facility", "preferred_category", "timeframe", "access_model",
        "budget_range", "nda_required", "consent_to_share",
    )  # fmt: skip

    status = models.CharField(
        _("status"), max_length=24, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED, db_index=True
    )
    company_name = models.CharField(_("company name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=9, validators=[validate_org_number])
    # The registered organisation the request is made for: set only when a signed-in requester is its approved
    # member (accounts.selectors.organisations_acted_for); the typed name and number alone point to nothing.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation (registered)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_requests",
    )
    # The cluster or TTO that sent the request on behalf of the member company above (its staff in the portal, or
    # its key): the cluster's staff follow and act on it as its sender.
    sent_by_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("sent by (cluster or TTO)"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="intake_requests_sent",
    )  # fmt: skip
    contact_name = models.CharField(_("contact person"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    phase = models.CharField(_("development phase"), max_length=16, choices=Phase.choices)
    description = models.TextField(_("description of the need"))
    preferred_institution = models.ForeignKey(
        "catalogue.Institution",
        verbose_name=_("preferred institution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_facility = models.ForeignKey(
        "catalogue.Facility",
        verbose_name=_("preferred facility"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_category = models.ForeignKey(
        "catalogue.Category",
        verbose_name=_("preferred category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    timeframe = models.CharField(_("timeframe"), max_length=200, blank=True)
    access_model = models.CharField(
        _("preferred access model"),
        max_length=16,
        choices=PreferredAccessModel.choices,
        default=PreferredAccessModel.UNSURE,
    )
    budget_range = models.CharField(_("budget range"), max_length=16, choices=BudgetRange.choices, blank=True)
    nda_required = models.BooleanField(_("NDA needed"), default=False)
    consent_to_share = models.BooleanField(_("consent to share with the institutions it is routed to"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_requests",
    )
    submitted_by_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    confirmation_token = models.CharField(_("confirmation token"), max_length=64, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)

    institution = models.ForeignKey(
        "catalogue.Institution",
        verbose_name=_("screening institution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_requests",
        help_text=_("Empty: the national queue."),
    )
    deadline_at = models.DateTimeField(_("response deadline"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days left when paused"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    check_need_clear = models.BooleanField(_("the need is clear"), default=False)
    check_timeframe_realistic = models.BooleanField(_("the timeframe is realistic"), default=False)
    check_funding_plausible = models.BooleanField(_("funding is plausible"), default=False)
    check_fits_institution = models.BooleanField(_("fits what the institution has"), default=False)

    decline_reason = models.CharField(_("decline reason"), max_length=16, choices=DeclineReason.choices, blank=True)
    decline_comment = models.TextField(_("comment"), blank=True)
    close_reason = models.CharField(_("close reason"), max_length=16, choices=CloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    CHECKLIST_FIELDS = (
        "check_need_clear",
        "check_timeframe_realistic",
        "check_funding_plausible",
        "check_fits_institution",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intake request")
        verbose_name_plural = _("intake requests")
        indexes = [models.Index(fields=["institution", "status"], name="intake_request_queue")]

    def __str__(self):
        return f"#{self.pk} {self.company_name}"

    @property
    def org_number_display(self) -> str:
        """As Norwegians write it: 'NNN NNN NNN'."""
        return format_org_number(self.org_number)


class RequestEvent(models.Model):
    """One transition of a request: who moved it, when, why, from which state to which."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=24, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=RequestStatus.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_client = models.ForeignKey(
        ApiClient, verbose_name=_("by client"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by (as shown)"), max_length=200, blank=True)
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"


class RequestMessage(models.Model):
    """A message between the requester (or its cluster/TTO) and the screeners and managers."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="messages")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("author client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_role = models.CharField(_("role"), max_length=16, choices=AuthorRole.choices)
    author_label = models.CharField(_("author (as shown)"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    # A message about one facility's part (its proposal, its internal note) is seen by that facility only, never by
    # the facilities the request was also routed to.
    routing = models.ForeignKey(
        "Routing",
        verbose_name=_("about the routing to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Never shown to the requester or the submitting organisation.")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.get_author_role_display()}: {self.body[:40]}"


class Routing(models.Model):
    """A request sent to one facility, and its manager's answer: a proposal on accept, a reason on decline; then
    the requester's decision on the proposal and what accepting it made (a booking, a series, a service order, an
    approved collaboration agreement, and the accepted standard agreement)."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="routings")
    facility = models.ForeignKey(
        "catalogue.Facility", verbose_name=_("facility"), on_delete=models.PROTECT, related_name="intake_routings"
    )
    note = models.TextField(_("note from the screener"), blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("routed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    routed_at = models.DateTimeField(_("routed"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=RoutingStatus.choices, default=RoutingStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=16, choices=DeclineReason.choices, blank=True)
    decline_comment = models.TextField(_("comment"), blank=True)
    proposal_kind = models.CharField(_("proposal"), max_length=16, choices=ProposalKind.choices, blank=True)
    agreement_type = models.CharField(
        _("proposed agreement type"), max_length=16, choices=AgreementType.choices, blank=True
    )
    proposal_text = models.TextField(_("proposal"), blank=True)
    booking_id = models.PositiveIntegerField(_("booking number"), null=True, blank=True)
    quote_amount = models.DecimalField(
        _("quoted amount excl. VAT (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # What the proposal covers: `quantity` × `unit` of `resource` (a quote, checked against the full-cost floor),
    # or a time slot of `resource` (a booking; with a frequency and count, a series). Accepting it creates the
    # booking, the series or, for staff-run work, the service order at the proposal's price.
    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=QuoteUnit.choices, blank=True)
    slot_start = models.DateTimeField(_("from"), null=True, blank=True)
    slot_end = models.DateTimeField(_("to"), null=True, blank=True)
    series_frequency = models.CharField(_("repeats"), max_length=16, choices=Frequency.choices, blank=True)
    series_count = models.PositiveSmallIntegerField(_("number of times"), null=True, blank=True)
    # What accepting the proposal made, through booking's and pricing's services.
    series = models.UUIDField(_("series"), null=True, blank=True)
    service_order = models.OneToOneField(
        "booking.ServiceOrder", verbose_name=_("service order"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="routing",
    )  # fmt: skip
    collaboration_agreement = models.OneToOneField(
        "pricing.CollaborationAgreement", verbose_name=_("collaboration agreement"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="routing",
    )  # fmt: skip
    # Who was told, when the facility has no manager: its primary contact person, by e-mail with a signed link.
    contact_name = models.CharField(_("contact person told"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    # The signed link's single-use part: cleared when the link is used, so a second use finds nothing.
    answer_nonce = models.CharField(_("answer link nonce"), max_length=64, blank=True, editable=False)
    decided_label = models.CharField(_("answered by (as shown)"), max_length=200, blank=True)
    requester_decision = models.CharField(
        _("the requester's decision"), max_length=16, choices=RequesterDecision.choices, blank=True
    )
    requester_decided_at = models.DateTimeField(_("the requester decided"), null=True, blank=True)
    # The standard agreement that comes with the proposal (the version at the time), and, once the requester
    # accepts, the accepted agreement with its PDF.
    agreement_template = models.ForeignKey(
        "agreements.AgreementTemplate",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreement = models.OneToOneField(
        "agreements.AgreementAcceptance",
        verbose_name=_("accepted agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing",
    )

    class Meta:
        ordering = ["routed_at", "id"]
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quote_amount__isnull=True) | models.Q(quote_amount__gte=0),
                name="intake_routing_quote_not_negative",
                violation_error_message=_("A quoted amount cannot be negative."),
            )
        ]

    def __str__(self):
        return f"{self.request} -> {self.facility}"


class WebhookDelivery(models.Model):
    """One status-change notification to a client's webhook URL, with every attempt's outcome."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="deliveries")
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="+", null=True)
    url = models.URLField(_("URL"))
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.client} #{self.pk} {self.status}"


class NationalScreener(models.Model):
    """A member of the national screening team: a platform-level role of its own.

    The team screens every request whose institution has no screener of its own (and those that name none), so
    that no request waits in a queue nobody reads.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="national_screener",
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("national screener")
        verbose_name_plural = _("national screening team")

    def __str__(self):
        return str(self.user)


class Referral(models.Model):
    """A request a screener sent outside the register (a cluster, another national platform, an institute).

    The requester sees it on the request's page and in the e-mail that tells them the request was closed.
    """

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("referred to"), max_length=24, choices=ReferralKind.choices)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(
        _("how to reach them"), max_length=300, blank=True, help_text=_("An e-mail address, a web address or both.")
    )
    note = models.TextField(_("note to the requester"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.request} -> {self.name}"
