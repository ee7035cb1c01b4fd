from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    COMPANY = "company", _("Company user")
    ACADEMIC = "academic", _("Academic user")


class Language(models.TextChoices):
    BOKMAL = "nb", _("Norwegian Bokmål")
    ENGLISH = "en", _("English")
