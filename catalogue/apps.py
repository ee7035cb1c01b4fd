from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from catalogue import emails
        from core.navigation import NavItem, register_nav_item

        emails.register()  # the catalogue e-mails the outbox sends

        register_nav_item(NavItem(label=_("Institutions"), url_name="catalogue:institution_list", order=10))
        register_nav_item(
            NavItem(
                label=_("My Labtorget"),
                url_name="catalogue:dashboard",
                order=20,
                visible=lambda user: bool(user and user.is_authenticated),
            )
        )
