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


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    CLUSTER = "cluster", _("Cluster")
    TTO = "tto", _("Technology transfer office")
    OTHER = "other", _("Other organisation")


class RegisterState(models.TextChoices):
    """What Brønnøysundregistrene said about the organisation number."""

    UNVERIFIED = "unverified", _("Not verified (the register could not be asked)")
    VERIFIED = "verified", _("Verified in the register")
    REFUSED = "refused", _("Refused (deleted, bankrupt or unknown in the register)")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    MEMBER = "member", _("Member")


class MembershipState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# Organisations whose staff send and follow requests for member companies (report 7.3.3).
CLUSTER_KINDS = ("cluster", "tto")
