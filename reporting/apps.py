from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Public statistics of collaboration with industry, the national ranking, open data and usage reports.

    It reads every other app and nobody imports it. (It is not called `statistics`: that would hide Python's own
    `statistics` module from the whole project.)
    """

    name = "reporting"
    verbose_name = _("Statistics")

    def ready(self):
        from catalogue.signals import demo_register_loaded
        from reporting import demo, panels

        panels.register()
        demo_register_loaded.connect(demo.on_demo_register_loaded, dispatch_uid="reporting-demo-statistics")
