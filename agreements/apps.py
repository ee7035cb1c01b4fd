from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Standard agreements (report 7.3.2): versioned templates per institution and kind, and each acceptance with
    its PDF. Reads the catalogue; intake attaches templates to proposals and records acceptances here."""

    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements import selectors
        from core.references import COLLABORATION_AGREEMENT, register_reference_check

        register_reference_check(COLLABORATION_AGREEMENT, selectors.collaboration_agreement_refusal)
