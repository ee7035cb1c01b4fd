from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    COMPANY = "company", _("Company user")
    ACADEMIC = "academic", _("Academic user")


class Language(models.TextChoices):
    BOKMAL = "nb", _("Norwegian Bokmål")
    ENGLISH = "en", _("English")


class AffiliationState(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class AffiliationMethod(models.TextChoices):
    """How an affiliation was verified."""

    FEIDE = "feide", _("Feide log-in")
    EMAIL_DOMAIN = "email_domain", _("Verified e-mail address under the institution's domain")
    ADMIN = "admin", _("Approved by an institution admin")


class AffiliationAction(models.TextChoices):
    """What happened to an affiliation claim: every step is in its history."""

    CLAIMED = "claimed", _("Claimed")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
