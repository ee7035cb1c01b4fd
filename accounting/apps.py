from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    """State aid, separate accounts, invoice basis and EHF invoices: reads bookings, is read by nobody."""

    name = "accounting"
    verbose_name = _("Accounting")

    def ready(self):
        from accounting import emails, panels

        panels.register()
        emails.register()  # the accounting e-mails the outbox sends
