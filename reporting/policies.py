"""Who may see what of the statistics. One function per action, used by pages and exports alike.

The public statistics need no policy: they are open to all, and hold no figure that reveals one company. A usage
report names the companies served, so it is for those who keep the facility: its managers, the admins of its
institution and platform admins.
"""

from catalogue import roles
from catalogue.models import Facility


def can_view_usage_report(user, facility: Facility) -> bool:
    """The yearly usage report of a facility or of one of its resources, with the list of companies."""
    return roles.can_manage_facility(user, facility)
