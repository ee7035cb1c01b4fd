from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    """The standard agreements of report 7.3.2: one per access model, and confidentiality."""

    CONFIDENTIALITY = "confidentiality", _("Confidentiality agreement (NDA)")
    RENTAL = "rental", _("Rental terms")
    SERVICE = "service", _("Service order")
    COMMISSIONED = "commissioned", _("Commissioned research contract")
    COLLABORATION = "collaboration", _("Collaboration agreement")
