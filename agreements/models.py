from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind


class AgreementTemplate(models.Model):
    """One version of a standard agreement, in Bokmål and English.

    Empty `institution`: the national standard, used where an institution has none of its own. A new version is a
    new row; accepted agreements keep pointing at the version that was accepted.
    """

    institution = models.ForeignKey(
        "catalogue.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_templates",
        help_text=_("Empty: the national standard."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AgreementKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title_nb = models.CharField(_("title (Bokmål)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    terms_nb = models.TextField(_("terms (Bokmål)"))
    terms_en = models.TextField(_("terms (English)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "institution", "-version"]
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "version"],
                condition=models.Q(institution__isnull=False),
                name="agreements_template_one_version",
                violation_error_message=_("This version of the agreement exists already."),
            ),
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=models.Q(institution__isnull=True),
                name="agreements_template_one_national_version",
                violation_error_message=_("This version of the agreement exists already."),
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_nb

    def terms_in(self, language: str) -> str:
        return self.terms_en if language == "en" else self.terms_nb

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_nb


class AgreementAcceptance(models.Model):
    """Who accepted which version of which agreement, when, for which organisation, at which price; with the PDF
    made at that moment (the parties, the price and the terms filled in)."""

    template = models.ForeignKey(
        AgreementTemplate, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="acceptances"
    )
    facility = models.ForeignKey(
        "catalogue.Facility", verbose_name=_("facility"), on_delete=models.PROTECT, related_name="agreements"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_agreements",
    )
    accepted_by_name = models.CharField(_("accepted by (name)"), max_length=200)
    organisation_name = models.CharField(_("for the organisation"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=9, blank=True)
    price_amount = models.DecimalField(
        _("price excl. VAT (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    subject = models.TextField(_("what the agreement covers"))
    reference = models.CharField(_("reference"), max_length=100, help_text=_("For example the request number."))
    language = models.CharField(_("language"), max_length=2)
    pdf = models.BinaryField(_("PDF"), editable=False)
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("accepted agreement")
        verbose_name_plural = _("accepted agreements")

    def __str__(self):
        return f"{self.template} – {self.organisation_name}"
