from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from booking.accounting_views import register_accounting_extensions

        register_accounting_extensions()  # menu item, facility_manage and dashboard panels
