from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Standard agreements (report 7.3.2): versioned templates per institution and kind, and each acceptance with
    its PDF. Reads the catalogue; intake attaches templates to proposals and records acceptances here. A collaboration
    agreement accepted through intake is also recorded, approved, in pricing (pricing.CollaborationAgreement): that
    record, not the acceptance here, is what allows non-economic use."""

    name = "agreements"
    verbose_name = _("Agreements")

