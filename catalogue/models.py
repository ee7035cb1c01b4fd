from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalogue.choices import (
    AccessModel,
    FacilityKind,
    InstitutionKind,
    InstitutionRoleKind,
    PublicationStatus,
    Region,
    ResourceKind,
)
from catalogue.search import PostgresGinIndex, facility_search_text, facility_search_vector
from core.validators import validate_org_number


class Institution(models.Model):
    """A university, university college, health trust, research institute or cluster that owns facilities."""

    kind = models.CharField(_("kind"), max_length=32, choices=InstitutionKind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices, blank=True)
    web_address = models.URLField(_("web address"), blank=True)
    org_number = models.CharField(_("organisation number"), max_length=9, blank=True, validators=[validate_org_number])
    industry_access_nb = models.TextField(_("how companies get access (Bokmål)"), blank=True)
    industry_access_en = models.TextField(_("how companies get access (English)"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.name

    @property
    def industry_access(self) -> str:
        return localized(self.industry_access_nb, self.industry_access_en)


class Category(models.Model):
    """A research field or category, such as 'Imaging' or 'Medisinsk mikrobiologi'."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["name_nb"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_nb, self.name_en)


class NationalInfrastructure(models.Model):
    """A national research infrastructure a facility can be a node of (NORBRAIN, Biobank Norge, NorCRIN...)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("national infrastructure")
        verbose_name_plural = _("national infrastructures")

    def __str__(self):
        return self.name


class Facility(models.Model):
    """A core facility, lab, test bed or other infrastructure in the register, with its named contacts."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="facilities"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description_nb = models.TextField(_("description (Bokmål)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("research fields"), related_name="facilities", blank=True
    )
    keywords = models.CharField(
        _("techniques and keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    offers_rental = models.BooleanField(AccessModel.RENTAL.label, default=False)
    offers_service = models.BooleanField(AccessModel.SERVICE.label, default=False)
    offers_commissioned = models.BooleanField(AccessModel.COMMISSIONED.label, default=False)
    offers_collaboration = models.BooleanField(AccessModel.COLLABORATION.label, default=False)
    open_to_industry = models.BooleanField(_("open to industry"), default=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=200, blank=True, help_text=_("For example Norsk akkreditering TEST 123.")
    )
    national_infrastructures = models.ManyToManyField(
        NationalInfrastructure, verbose_name=_("national infrastructures"), related_name="facilities", blank=True
    )
    city = models.CharField(_("city"), max_length=100)
    campus = models.CharField(_("campus"), max_length=120, blank=True)
    web_address = models.URLField(_("web address"), blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    freshness_reminder_sent_on = models.DateField(_("freshness reminder sent"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept by the database from the texts above on every write (see catalogue.search); never set by hand.
    search_vector = models.GeneratedField(
        expression=facility_search_vector(), output_field=SearchVectorField(null=True), db_persist=True
    )
    search_text = models.GeneratedField(
        expression=facility_search_text(), output_field=models.TextField(), db_persist=True
    )

    ACCESS_MODEL_FIELDS = {
        AccessModel.RENTAL: "offers_rental",
        AccessModel.SERVICE: "offers_service",
        AccessModel.COMMISSIONED: "offers_commissioned",
        AccessModel.COLLABORATION: "offers_collaboration",
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [
            models.Index(fields=["status", "institution"], name="catalogue_facility_status_inst"),
            PostgresGinIndex(fields=["search_vector"], name="catalogue_facility_search"),
            PostgresGinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="catalogue_facility_trigram"),
        ]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return localized(self.description_nb, self.description_en)

    @property
    def access_models(self) -> list[str]:
        return [model for model, field in self.ACCESS_MODEL_FIELDS.items() if getattr(self, field)]

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


class ContactPerson(models.Model):
    """A named person to contact about a facility. Each published facility has exactly one primary contact."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(
                fields=["facility"],
                condition=Q(is_primary=True),
                name="catalogue_contactperson_one_primary",
                violation_error_message=_("A facility has only one primary contact person."),
            )
        ]

    def __str__(self):
        return self.name


class Resource(models.Model):
    """Something inside a facility: an instrument, a room or lab, or a service performed by staff.

    The booking app attaches calendars (a booking policy) to bookable resources, the pricing app cost bases and
    price lists.
    """

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description_nb = models.TextField(_("description (Bokmål)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    bookable = models.BooleanField(_("can be booked"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["facility", "name"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return localized(self.description_nb, self.description_en)


class InstitutionRole(models.Model):
    """A person's role at an institution: institution admin or screener (dedicated contact for industry)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="institution_roles"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=InstitutionRoleKind.choices)

    class Meta:
        verbose_name = _("institution role")
        verbose_name_plural = _("institution roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "role"],
                name="catalogue_institutionrole_unique",
                violation_error_message=_("This person already has this role at the institution."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.institution}"


class FacilityManager(models.Model):
    """A person who manages a facility: keeps the entry, calendars and prices, approves bookings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="managed"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="managers"
    )

    class Meta:
        verbose_name = _("facility manager")
        verbose_name_plural = _("facility managers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "facility"],
                name="catalogue_facilitymanager_unique",
                violation_error_message=_("This person already manages the facility."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.facility}"


def localized(bokmal: str, english: str) -> str:
    """The English text when the active language is English and one exists, otherwise the Bokmål one."""
    if (get_language() or "nb").startswith("en") and english:
        return english
    return bokmal or english
