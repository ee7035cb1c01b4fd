"""The one table the accounts need: which state-aid e-mails have been sent, so each goes out once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounting.choices import StateAidAlertLevel


class StateAidAlert(models.Model):
    """A record that the institution admins were told a resource crossed a state-aid threshold in a year."""

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=16, choices=StateAidAlertLevel.choices)
    share = models.DecimalField(_("share of capacity"), max_digits=7, decimal_places=4)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        # The model came from the booking app; its table and constraint keep their names, so that moving it
        # changed no database (see migrations/0001_initial.py) and old and new code can run side by side.
        db_table = "booking_stateaidalert"
        verbose_name = _("state-aid alert")
        verbose_name_plural = _("state-aid alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "year", "level"],
                name="booking_stateaidalert_once",
                violation_error_message=_("This alert has already been sent."),
            )
        ]

    def __str__(self):
        return f"{self.resource} {self.year} {self.level}"
