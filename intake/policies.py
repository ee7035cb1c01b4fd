"""Who may see and act on intake requests. One function per action, used by pages and the API alike.

An actor is a signed-in User or an ApiClient (a cluster or TTO using its organisation key).
Confidentiality rule: a request is visible only to its requester, the submitting client, the screeners of its
institution (platform admins for the national queue) and the managers of facilities it was routed to.
"""

from dataclasses import dataclass

from catalogue import roles
from catalogue.models import FacilityManager
from intake.choices import NOT_YET_IN_QUEUE
from intake.models import ApiClient, IntakeRequest, Routing


@dataclass(frozen=True)
class RequestLink:
    """Someone holding the secret link e-mailed to a requester without an account: the requester of that request."""

    request_id: int


def _is_user(actor) -> bool:
    return not isinstance(actor, ApiClient | RequestLink) and roles.is_authenticated(actor)


def is_requester(actor, request: IntakeRequest) -> bool:
    if isinstance(actor, ApiClient):
        return not actor.is_revoked and request.submitted_by_client_id == actor.id
    if isinstance(actor, RequestLink):
        return actor.request_id == request.pk
    return _is_user(actor) and request.requester_id == actor.id


def can_screen_request(actor, request: IntakeRequest) -> bool:
    """Screeners of the request's institution; platform admins for the national queue."""
    if not _is_user(actor) or request.status in NOT_YET_IN_QUEUE:
        return False
    if request.institution_id is None:
        return roles.is_platform_admin(actor)
    return roles.is_screener(actor, request.institution_id)


def can_assign_request(actor, request: IntakeRequest) -> bool:
    """Platform admins hand requests in the national queue to an institution's screeners."""
    return _is_user(actor) and request.institution_id is None and roles.is_platform_admin(actor)


def can_answer_routing(actor, routing: Routing) -> bool:
    """The managers of the facility the request was routed to."""
    return _is_user(actor) and roles.is_facility_manager(actor, routing.facility_id)


def answerable_routings(actor, routings) -> list[Routing]:
    """Those of `routings` that `actor` may answer (`can_answer_routing`), asked with one query for them all."""
    routings = list(routings)
    if not _is_user(actor):
        return []
    managed = roles.facilities_managed_directly(actor, {r.facility_id for r in routings})
    return [r for r in routings if r.facility_id in managed]


def is_routed_manager(actor, request: IntakeRequest) -> bool:
    if not _is_user(actor):
        return False
    return FacilityManager.objects.filter(user=actor, facility__intake_routings__request=request).exists()


def can_view_request(actor, request: IntakeRequest) -> bool:
    return is_requester(actor, request) or can_screen_request(actor, request) or is_routed_manager(actor, request)


def can_message_request(actor, request: IntakeRequest) -> bool:
    return can_view_request(actor, request)


def can_withdraw_request(actor, request: IntakeRequest) -> bool:
    return is_requester(actor, request)


def can_see_screening_queue(actor) -> bool:
    if not _is_user(actor):
        return False
    return roles.is_platform_admin(actor) or bool(roles.screener_institution_ids(actor))


def can_see_manager_inbox(actor) -> bool:
    return _is_user(actor) and roles.manages_any_facility(actor)
