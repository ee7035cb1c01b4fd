from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import emails, panels, signals  # noqa: F401  (signals connects the receivers)

        emails.register()
        panels.register()
