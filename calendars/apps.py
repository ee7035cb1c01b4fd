from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = _("External calendars")

    def ready(self):
        from calendars import demo, emails
        from catalogue.signals import demo_register_loaded

        emails.register()
        demo_register_loaded.connect(demo.on_demo_register_loaded, dispatch_uid="calendars-demo-feeds")
