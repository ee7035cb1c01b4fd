from django.db import models
from django.utils.translation import gettext_lazy as _


class StateAidAlertLevel(models.TextChoices):
    """The state-aid lines an institution's admins are told about by e-mail."""

    WARNING = "warning", _("Warning")
    ALERT = "alert", _("Alert")
