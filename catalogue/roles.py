"""Who holds which role. Read-only helpers shared by every app's policies and selectors.

Each answer is one query at most; policies call these, views never query roles themselves.
"""

from catalogue.choices import InstitutionRoleKind
from catalogue.models import Facility, FacilityManager, Institution, InstitutionRole


def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_platform_admin(user) -> bool:
    return is_authenticated(user) and user.is_staff


def is_institution_admin(user, institution: Institution | int) -> bool:
    if not is_authenticated(user):
        return False
    return InstitutionRole.objects.filter(user=user, institution=institution, role=InstitutionRoleKind.ADMIN).exists()


def is_screener(user, institution: Institution | int) -> bool:
    if not is_authenticated(user):
        return False
    return InstitutionRole.objects.filter(
        user=user, institution=institution, role=InstitutionRoleKind.SCREENER
    ).exists()


def is_facility_manager(user, facility: Facility | int) -> bool:
    if not is_authenticated(user):
        return False
    return FacilityManager.objects.filter(user=user, facility=facility).exists()


def facilities_managed_directly(user, facility_ids) -> set[int]:
    """Which of `facility_ids` the user is a manager of (is_facility_manager for many facilities, one query)."""
    if not is_authenticated(user) or not facility_ids:
        return set()
    return set(
        FacilityManager.objects.filter(user=user, facility_id__in=facility_ids).values_list("facility_id", flat=True)
    )


def can_manage_facility(user, facility: Facility) -> bool:
    """Managers of the facility, admins of its institution and platform admins keep a facility."""
    if not is_authenticated(user):
        return False
    if user.is_staff:
        return True
    return is_facility_manager(user, facility) or is_institution_admin(user, facility.institution_id)


def managed_facility_ids(user) -> set[int]:
    """Every facility the user may manage: directly, or as admin of the owning institution.

    Asked several times while one page is built (menu, panels, the page itself), so the answer is kept on the
    user object, which lives as long as the request.
    """
    if not is_authenticated(user):
        return set()
    cached = getattr(user, "_managed_facility_ids", None)
    if cached is not None:
        return set(cached)
    if user.is_staff:
        found = set(Facility.objects.values_list("id", flat=True))
    else:
        direct = FacilityManager.objects.filter(user=user).values_list("facility_id", flat=True)
        admin_institutions = InstitutionRole.objects.filter(user=user, role=InstitutionRoleKind.ADMIN).values(
            "institution_id"
        )
        via_admin = Facility.objects.filter(institution_id__in=admin_institutions).values_list("id", flat=True)
        found = set(direct) | set(via_admin)
    user._managed_facility_ids = frozenset(found)
    return found


def _role_institution_ids(user, role: str) -> set[int]:
    if not is_authenticated(user):
        return set()
    cache = getattr(user, "_role_institution_ids", None)
    if cache is None:
        cache = user._role_institution_ids = {}
    if role not in cache:
        cache[role] = frozenset(
            InstitutionRole.objects.filter(user=user, role=role).values_list("institution_id", flat=True)
        )
    return set(cache[role])


def screener_institution_ids(user) -> set[int]:
    """Institutions where the user screens industry requests (kept on the user for the request, like the rest)."""
    return _role_institution_ids(user, InstitutionRoleKind.SCREENER)


def admin_institution_ids(user) -> set[int]:
    return _role_institution_ids(user, InstitutionRoleKind.ADMIN)


def manages_any_facility(user) -> bool:
    """Whether the user is the named manager of at least one facility."""
    if not is_authenticated(user):
        return False
    answer = getattr(user, "_manages_any_facility", None)
    if answer is None:
        answer = user._manages_any_facility = FacilityManager.objects.filter(user=user).exists()
    return answer


def responsible_people(facility: Facility) -> list:
    """Who answers for a facility: its active managers, or, when it has none, the admins of its institution.

    Uses `facility.managers` prefetched with their users when the caller did so (one query per facility
    otherwise).
    """
    managers = [link.user for link in facility.managers.all() if link.user.is_active]
    if managers:
        return managers
    return [
        role.user
        for role in InstitutionRole.objects.filter(
            institution_id=facility.institution_id, role=InstitutionRoleKind.ADMIN
        ).select_related("user")
        if role.user.is_active
    ]
