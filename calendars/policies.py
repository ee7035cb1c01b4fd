"""Permission policies for external calendars: one function per action, used by pages and the API alike."""

from catalogue import roles
from catalogue.models import Resource


def can_manage_external_calendars(user, resource: Resource) -> bool:
    """See, attach, read again and remove a resource's external calendars (their addresses may hold a secret of the
    local system): those who keep the facility, its managers, the admins of its institution and platform admins."""
    return roles.can_manage_facility(user, resource.facility)
