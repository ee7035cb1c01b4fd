from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")

    def ready(self):
        from core.navigation import (
            DASHBOARD,
            FACILITY_PAGE,
            ORGANISATION_PAGE,
            NavItem,
            Panel,
            register_nav_item,
            register_panel,
        )
        from intake import emails, policies, views

        emails.register()  # the intake e-mails the outbox sends

        from catalogue.signals import demo_register_loaded
        from intake import demo

        demo_register_loaded.connect(demo.on_demo_register_loaded, dispatch_uid="intake-demo-national-team")

        register_nav_item(NavItem(label=_("Send a request"), url_name="intake:new", order=30))
        register_nav_item(
            NavItem(
                label=_("My requests"),
                url_name="intake:mine",
                order=60,
                visible=lambda user: bool(user and user.is_authenticated),
            )
        )
        register_nav_item(
            NavItem(
                label=_("Screening queue"), url_name="intake:queue", order=61, visible=policies.can_see_screening_queue
            )
        )
        register_nav_item(
            NavItem(
                label=_("Routed requests"), url_name="intake:inbox", order=62, visible=policies.can_see_manager_inbox
            )
        )
        register_panel(
            FACILITY_PAGE,
            Panel(template_name="intake/panels/facility_request.html", build=views.facility_request_panel, order=20),
        )
        register_panel(
            DASHBOARD, Panel(template_name="intake/panels/dashboard.html", build=views.dashboard_panel, order=30)
        )
        register_panel(
            ORGANISATION_PAGE,
            Panel(template_name="intake/panels/organisation_keys.html", build=views.organisation_keys_panel, order=20),
        )
