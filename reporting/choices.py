from django.db import models
from django.utils.translation import gettext_lazy as _


class UserCategory(models.TextChoices):
    """Who a booking was for, from its payer (see docs/statistics.md)."""

    COMPANY = "company", _("Companies")
    EXTERNAL = "external", _("Other external users")
    INTERNAL = "internal", _("Internal users")


class Dimension(models.TextChoices):
    """What one published row of figures is about."""

    NATIONAL = "national", _("All of Norway")
    INSTITUTION = "institution", _("Institution")
    REGION = "region", _("Region")
    FACILITY_KIND = "kind", _("Kind of facility")


# A published row's figures for all companies ("") or for one part of them: an access model or a sector.
BREAKDOWN_ACCESS_MODEL = "access_model:"
BREAKDOWN_SECTOR = "sector:"

# A cell that counts fewer distinct companies than this is never shown.
MINIMUM_COMPANIES = 3

# The region of an institution that has none in the register.
NO_REGION = "none"
