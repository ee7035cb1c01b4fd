"""Permission policies for pricing: one function per action, used by pages and API alike."""

from accounts.selectors import email_verified
from catalogue import roles


def can_manage_prices(user, resource) -> bool:
    """Enter the cost base and price lists of a resource: managers of its facility, admins of the facility's
    institution, platform admins."""
    return roles.can_manage_facility(user, resource.facility)


def can_view_cost_base(user, resource) -> bool:
    """The cost base (salaries, costs) is internal to the institution: the same people who manage prices."""
    return roles.can_manage_facility(user, resource.facility)


def can_get_quote(user, resource=None) -> bool:
    """A quote depends on the user's affiliation, so only signed-in users get one; price lists are public."""
    return roles.is_authenticated(user)


def can_propose_agreement(user, facility) -> bool:
    """Propose a collaboration agreement with a facility: any signed-in person with a verified e-mail address
    (a company's or another institution's researcher); it counts only once the facility approves it."""
    return roles.is_authenticated(user) and email_verified(user)


def can_decide_agreement(user, agreement) -> bool:
    """Approve or reject a collaboration agreement, and name its participants: the facility's managers, admins
    of its institution, platform admins."""
    return roles.can_manage_facility(user, agreement.facility)


def can_view_agreement(user, agreement) -> bool:
    """See an agreement: those who decide it, and the people it names or who proposed it."""
    if not roles.is_authenticated(user):
        return False
    if agreement.proposed_by_id == user.pk or agreement.participants.filter(pk=user.pk).exists():
        return True
    return can_decide_agreement(user, agreement)


def can_view_vat_rules(user, institution) -> bool:
    """See an institution's VAT table: its admins, managers of its facilities, platform admins."""
    if not roles.is_authenticated(user):
        return False
    if roles.is_platform_admin(user) or roles.is_institution_admin(user, institution):
        return True
    return bool(roles.managed_facility_ids(user) & set(institution.facilities.values_list("id", flat=True)))


def can_change_vat_rules(user, institution) -> bool:
    """Override the default VAT of an access model: the institution's admins and platform admins (the
    institution's tax office decides; every change is audited)."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)
