from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared plumbing that every app may use and that uses no app: domain errors, the policy glue, the API's
    error answers, page extension points, queueing tasks after the commit and the outgoing-mail outbox."""

    name = "core"
    verbose_name = _("Core")
