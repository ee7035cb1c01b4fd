from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from accounts.choices import (
    AffiliationAction,
    AffiliationMethod,
    AffiliationState,
    Language,
    MembershipRole,
    MembershipState,
    OrganisationKind,
    RegisterState,
    UserKind,
)
from core.validators import format_org_number, validate_org_number


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self.db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """A platform admin, with the e-mail address counted as verified: whoever runs `createsuperuser` (the
        command calls this) already controls the server, and the admin could not otherwise sign in to verify."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        with transaction.atomic(using=self.db):
            user = self._create_user(email, password, **extra_fields)
            EmailAddress.objects.using(self.db).create(user=user, email=user.email, primary=True, verified=True)
        return user


class User(AbstractUser):
    """A person who signs in with an e-mail address.

    Company users act for organisations through memberships (OrganisationMembership); academic users name their
    institution, which counts once their affiliation is verified (Affiliation). Roles on institutions and
    facilities live in the catalogue (InstitutionRole, FacilityManager); platform admins are staff users.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    kind = models.CharField(_("kind of user"), max_length=16, choices=UserKind.choices, default=UserKind.COMPANY)
    institution = models.ForeignKey(
        "catalogue.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_staff

    @property
    def is_company(self) -> bool:
        return self.kind == UserKind.COMPANY


class ApiToken(AbstractAuthToken):
    """A personal API token (`Authorization: Token <key>`), django-rest-knox's token with an id and a name.

    Only the SHA-512 digest of the key is stored, so the database never holds a usable secret; `token_key` keeps
    the key's first characters to tell tokens apart. A token stops working at `expiry` (API_TOKEN_TTL_DAYS after
    it was made) or when its owner revokes it (the row is deleted).
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(_("digest"), max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(pgettext_lazy("API token", "name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"…{self.key_hint} ({self.user})"

    @property
    def key_hint(self) -> str:
        """The last characters of the stored key prefix: enough for the owner to recognise a token, never the
        secret."""
        return self.token_key[-8:]


class InstitutionDomain(models.Model):
    """An internet domain an institution vouches for (e.g. "uio.no"), managed by the institution's admins.

    A verified e-mail address exactly under the domain (kari@uio.no, not kari@student.uio.no unless that domain is
    registered too), or a Feide log-in whose home organisation is the domain, verifies a person's affiliation
    with the institution.
    """

    institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("institution"), on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    added_by = models.ForeignKey(
        User, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("institution domain")
        verbose_name_plural = _("institution domains")
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class Affiliation(models.Model):
    """A person's claim to belong to an institution, and whether it is verified.

    Only a verified affiliation counts (`accounts.selectors.verified_institution`): it gives the internal price
    tier at the institution's facilities and lets the institution pay. The claim the person typed
    (`User.institution`) alone gives nothing.
    """

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="affiliation")
    institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="affiliations"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=AffiliationState.choices, default=AffiliationState.PENDING
    )
    method = models.CharField(_("verified by"), max_length=16, choices=AffiliationMethod.choices, blank=True)
    claimed_at = models.DateTimeField(_("claimed"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        indexes = [models.Index(fields=["institution", "state"], name="accounts_aff_inst_state")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=AffiliationState.VERIFIED) | ~models.Q(method=""),
                name="accounts_affiliation_verified_has_method",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.institution} ({self.get_state_display()})"


class AffiliationEvent(models.Model):
    """One step in the history of a person's affiliation claims: claimed, verified, approved, refused, withdrawn.

    Kept when the claim changes or goes, so every decision an institution admin made stays on record.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="affiliation_events")
    institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("institution"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=AffiliationAction.choices)
    method = models.CharField(_("verified by"), max_length=16, choices=AffiliationMethod.choices, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("affiliation event")
        verbose_name_plural = _("affiliation events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["institution", "-at"], name="accounts_affevent_inst_at")]

    def __str__(self):
        return f"{self.user} – {self.institution}: {self.get_action_display()}"


class Organisation(models.Model):
    """A company, cluster, technology transfer office or other organisation that people act for and that pays.

    Its organisation number is unique and checked (MOD11, then Brønnøysundregistrene): name, address, VAT
    registration, NACE code and web domain come from the register when it answers. Bookings and requests point to
    it as their payer; nothing is invoiced to it until the register has verified it.
    """

    org_number = models.CharField(
        _("organisation number"), max_length=9, unique=True, null=True, blank=True, validators=[validate_org_number]
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    vat_registered = models.BooleanField(_("registered for VAT"), default=False)
    nace_code = models.CharField(_("NACE code"), max_length=10, blank=True)
    sector = models.CharField(_("sector (NACE)"), max_length=200, blank=True)
    web_domain = models.CharField(_("web domain"), max_length=253, blank=True)
    register_state = models.CharField(
        _("register check"), max_length=16, choices=RegisterState.choices, default=RegisterState.UNVERIFIED
    )
    register_checked_at = models.DateTimeField(_("checked in the register"), null=True, blank=True)
    register_note = models.CharField(_("register note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({format_org_number(self.org_number)})" if self.org_number else self.name

    @property
    def is_verified(self) -> bool:
        return self.register_state == RegisterState.VERIFIED

    @property
    def org_number_display(self) -> str:
        return format_org_number(self.org_number or "")


class OrganisationMembership(models.Model):
    """A person acting for an organisation: an admin or a member, waiting, approved or refused.

    The first member is approved by a platform admin (or at once when the person's verified e-mail address is under
    the organisation's registered web domain) and becomes its admin; later members are approved by its admins.
    Only an approved member books or sends requests on the organisation's account.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    state = models.CharField(
        _("state"), max_length=16, choices=MembershipState.choices, default=MembershipState.PENDING
    )
    claimed_name = models.CharField(
        _("company name the person gave"), max_length=200, blank=True,
        help_text=_("As the person typed it; the organisation's name comes from the register."),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        ordering = ["organisation__name", "requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="accounts_membership_once"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()}, {self.get_state_display()})"

    @property
    def is_approved(self) -> bool:
        return self.state == MembershipState.APPROVED


class ClusterMember(models.Model):
    """A company that is a member of a cluster or a client of a technology transfer office (an organisation of kind
    cluster or TTO), and whether it lets that organisation follow its requests.

    The cluster's admins add and remove member companies; only the company's own admins decide whether the cluster
    may act for it (`shares_requests`): send requests on its behalf and see the status of the requests that name it.
    A company a cluster merely listed has nothing sent in its name.
    """

    cluster = models.ForeignKey(
        Organisation, verbose_name=_("cluster or TTO"), on_delete=models.CASCADE, related_name="member_companies"
    )
    company = models.ForeignKey(
        Organisation, verbose_name=_("member company"), on_delete=models.CASCADE, related_name="clusters"
    )
    added_by = models.ForeignKey(
        User, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    shares_requests = models.BooleanField(
        _("shares its requests"), default=False,
        help_text=_(
            "The company lets the cluster or TTO send requests on its behalf and see the status of every request "
            "that names it."
        ),
    )  # fmt: skip
    sharing_decided_by = models.ForeignKey(
        User, verbose_name=_("sharing decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    sharing_decided_at = models.DateTimeField(_("sharing decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("member company")
        verbose_name_plural = _("member companies")
        ordering = ["cluster__name", "company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "company"],
                name="accounts_cluster_member_once",
                violation_error_message=_("The company is already a member."),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~Q(cluster=F("company")),
                name="accounts_cluster_member_not_itself",
                violation_error_message=_("An organisation cannot be its own member."),
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.company} ∈ {self.cluster}"
