"""Who may read an accepted agreement: the person who accepted it, the managers of the facility that is party to
it, and platform admins. Used by the PDF download page."""

from agreements.models import AgreementAcceptance
from catalogue import roles


def can_read_agreement(user, acceptance: AgreementAcceptance) -> bool:
    if not roles.is_authenticated(user):
        return False
    if acceptance.accepted_by_id == user.pk or roles.is_platform_admin(user):
        return True
    return roles.is_facility_manager(user, acceptance.facility_id)
