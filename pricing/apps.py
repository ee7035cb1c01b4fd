from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("Pricing")

    def ready(self):
        from catalogue.signals import demo_register_loaded
        from core.navigation import (
            FACILITY_DETAILS,
            FACILITY_MANAGE,
            NavItem,
            Panel,
            register_nav_item,
            register_panel,
            register_result_facts,
        )
        from core.references import QUOTE_FLOOR, register_reference_check
        from pricing import demo, emails, panels, selectors

        register_panel(FACILITY_DETAILS, Panel("pricing/panels/facility_prices.html", panels.facility_prices, order=40))
        register_panel(FACILITY_MANAGE, Panel("pricing/panels/facility_manage.html", panels.facility_manage, order=40))
        register_nav_item(NavItem(_("Price calculator"), "pricing:calculator", order=60))
        register_result_facts(panels.search_result_facts, order=40)
        demo_register_loaded.connect(demo.give_demo_resources_prices, dispatch_uid="pricing-demo-prices")
        register_reference_check(QUOTE_FLOOR, selectors.quote_floor_check)  # intake's quoted amounts
        emails.register()  # the pricing e-mails the outbox sends
