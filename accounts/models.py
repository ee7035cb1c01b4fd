from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from accounts.choices import AffiliationAction, AffiliationMethod, AffiliationState, Language, UserKind
from core.validators import validate_org_number


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

    Company users carry their company's organisation number; academic users their institution, which decides
    whether they are internal or external at a facility. Roles on institutions and facilities live in the
    catalogue (InstitutionRole, FacilityManager); platform admins are staff users.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    kind = models.CharField(_("kind of user"), max_length=16, choices=UserKind.choices, default=UserKind.COMPANY)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    org_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, validators=[validate_org_number]
    )
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
