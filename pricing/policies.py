"""Permission policies for pricing: one function per action, used by pages and API alike."""

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
