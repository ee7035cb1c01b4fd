"""The aggregates the statistics are read from, rebuilt by a periodic task (reporting.services.statistics_rebuild).

Nothing here is entered by people: each table is a function of the bookings, requests and register, replaced
year by year, so the public page and the API read a few indexed rows however many bookings there are.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.choices import AccessModel
from reporting.choices import Dimension, UserCategory


class UseAggregate(models.Model):
    """Completed bookings and charged revenue of one resource in one quarter, for one category of user, one
    company (for companies) and one access model."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    facility = models.ForeignKey(
        "catalogue.Facility", verbose_name=_("facility"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("users"), max_length=16, choices=UserCategory.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    access_model = models.CharField(_("access model"), max_length=16, choices=AccessModel.choices)
    bookings = models.PositiveIntegerField(_("completed bookings"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=14, decimal_places=2, default=0)
    revenue = models.DecimalField(_("charged revenue excl. VAT"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("use aggregate")
        verbose_name_plural = _("use aggregates")
        indexes = [
            models.Index(fields=["year", "quarter"], name="reporting_use_period"),
            models.Index(fields=["facility", "year"], name="reporting_use_facility_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "resource", "category", "organisation", "access_model"],
                condition=models.Q(organisation__isnull=False),
                name="reporting_use_once_per_company",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter", "resource", "category", "access_model"],
                condition=models.Q(organisation__isnull=True),
                name="reporting_use_once_per_category",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="reporting_use_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(category=UserCategory.COMPANY, organisation__isnull=False)
                | (~models.Q(category=UserCategory.COMPANY) & models.Q(organisation__isnull=True)),
                name="reporting_use_company_named",
            ),
        ]

    def __str__(self):
        return f"{self.year} Q{self.quarter} {self.resource_id} {self.category}"


class PublishedCell(models.Model):
    """One published row of figures, after confidentiality: a period (a year, or one quarter of it), a dimension
    and its member (an institution's slug, a region, a kind of facility), and a breakdown ("" for all, else
    "access_model:rental" or "sector:C"). A hidden figure is null in `figures`."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), help_text=_("0: the whole year."))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    member = models.CharField(_("member"), max_length=80)
    breakdown = models.CharField(_("breakdown"), max_length=40, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("published figures")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "dimension", "member", "breakdown"], name="reporting_cell_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=0, quarter__lte=4), name="reporting_cell_quarter_0_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.year} Q{self.quarter} {self.dimension} {self.member} {self.breakdown}".strip()
