from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from booking import demo, emails, panels
        from catalogue.signals import demo_register_loaded

        panels.register()
        emails.register()  # the booking e-mails the outbox sends
        demo_register_loaded.connect(demo.on_demo_register_loaded, dispatch_uid="booking-demo-calendars")
