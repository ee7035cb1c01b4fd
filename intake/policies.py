"""Who may see and act on intake requests. One function per action, used by pages and the API alike.

An actor is a signed-in User or an ApiClient (a cluster or TTO using its organisation key).
Confidentiality rule: a request is visible only to its requester (with the staff and key of the cluster or TTO that
sent it for a member company), a cluster following a member company that agreed to share, whoever holds its
screening queue (its institution's screeners; the national screening team and platform admins for the national
queue: requests naming no institution or one without screeners) and the managers of facilities it was routed to.
Within a request, a facility sees only its own routing, proposal and notes; internal notes (a screener's note to
the facilities, a facility's own notes) are never shown to the requester.
"""

from dataclasses import dataclass

from accounts.choices import CLUSTER_KINDS
from accounts.policies import is_organisation_admin
from accounts.selectors import clusters_acted_for, company_shares_with, email_verified
from catalogue import roles
from catalogue.models import FacilityManager
from intake import selectors
from intake.choices import NOT_YET_IN_QUEUE
from intake.models import ApiClient, IntakeRequest, RequestMessage, Routing


@dataclass(frozen=True)
class RequestLink:
    """Someone holding the secret link e-mailed to a requester without an account: the requester of that request."""

    request_id: int


def _is_user(actor) -> bool:
    return not isinstance(actor, ApiClient | RequestLink) and roles.is_authenticated(actor)


def is_requester(actor, request: IntakeRequest) -> bool:
    """The person or client that sent the request. A request sent without an account belongs also to the person
    who signs in with a verified e-mail address equal to the one the request confirmed (so that they can accept a
    booking, which is made in a person's name)."""
    if isinstance(actor, ApiClient):
        if actor.is_revoked:
            return False
        return request.submitted_by_client_id == actor.id or (
            actor.organisation_id is not None and request.sent_by_organisation_id == actor.organisation_id
        )
    if isinstance(actor, RequestLink):
        return actor.request_id == request.pk
    if not _is_user(actor):
        return False
    if request.requester_id == actor.id or is_confirmed_sender(actor, request):
        return True
    # The staff of the cluster or TTO that sent it for a member company: the cluster is its sender.
    return request.sent_by_organisation_id is not None and request.sent_by_organisation_id in cluster_ids(actor)


def cluster_ids(actor) -> set[int]:
    """The clusters and TTOs the actor speaks for: a person's (as their approved member), a key's organisation."""
    if isinstance(actor, ApiClient):
        return {actor.organisation_id} if actor.organisation_id is not None and not actor.is_revoked else set()
    if not _is_user(actor):
        return set()
    return set(clusters_acted_for(actor).values_list("pk", flat=True))


def follows_as_cluster(actor, request: IntakeRequest) -> bool:
    """The request names a member company of the actor's cluster or TTO that lets the cluster follow its requests:
    the cluster sees its status, proposals and messages (not internal notes), and does not act on it."""
    if request.organisation_id is None:
        return False
    clusters = cluster_ids(actor)
    return bool(clusters) and company_shares_with(company_id=request.organisation_id, cluster_ids=clusters)


def is_confirmed_sender(user, request: IntakeRequest) -> bool:
    """The request was sent without an account, its e-mail address confirmed, and `user` has verified the same
    address."""
    return (
        request.requester_id is None
        and request.submitted_by_client_id is None
        and request.confirmed_at is not None
        and bool(user.email)
        and user.email.lower() == request.email.lower()
        and email_verified(user)
    )


def can_screen_request(actor, request: IntakeRequest) -> bool:
    """Screeners of the request's institution; the national screening team and platform admins for the national
    queue (no institution, or one without screeners)."""
    if not _is_user(actor) or request.status in NOT_YET_IN_QUEUE:
        return False
    if request.institution_id is not None and roles.is_screener(actor, request.institution_id):
        return True
    if selectors.is_national_queue(request):
        return roles.is_platform_admin(actor) or selectors.is_national_screener(actor)
    return False


def can_assign_request(actor, request: IntakeRequest) -> bool:
    """Whoever screens a request may hand it to another institution's queue or refer it outside."""
    return can_screen_request(actor, request)


def can_refer_request(actor, request: IntakeRequest) -> bool:
    return can_screen_request(actor, request)


def can_decide_proposal(actor, routing: Routing) -> bool:
    """The requester accepts or declines a facility's proposal."""
    return is_requester(actor, routing.request)


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


def _sees_everything_in(actor, request: IntakeRequest) -> bool:
    return is_requester(actor, request) or can_screen_request(actor, request) or follows_as_cluster(actor, request)


def visible_routings(actor, request: IntakeRequest, routings) -> list[Routing]:
    """The requester and the screeners see every facility's routing; a facility's managers only their own."""
    routings = list(routings)
    if _sees_everything_in(actor, request):
        return routings
    managed = roles.facilities_managed_directly(actor, {r.facility_id for r in routings}) if _is_user(actor) else set()
    return [r for r in routings if r.facility_id in managed]


def can_see_internal_notes(actor, request: IntakeRequest) -> bool:
    """Internal notes are for the screeners and the facilities, never for the requester, its organisation or its
    cluster."""
    if is_requester(actor, request) or follows_as_cluster(actor, request):
        return False
    return can_screen_request(actor, request) or is_routed_manager(actor, request)


def visible_messages(actor, request: IntakeRequest, messages) -> list[RequestMessage]:
    """The messages of `request` that `actor` may read: a message about one routing (a proposal, a facility's
    note) only by that facility, the requester and the screeners; an internal one never by the requester."""
    messages = list(messages)
    internal_ok = can_see_internal_notes(actor, request)
    everything = _sees_everything_in(actor, request)
    own_routings = None
    if not everything:
        own_routings = {r.pk for r in visible_routings(actor, request, request.routings.all())}
    return [
        message
        for message in messages
        if (internal_ok or not message.internal)
        and (message.routing_id is None or everything or message.routing_id in own_routings)
    ]


def can_view_request(actor, request: IntakeRequest) -> bool:
    return (
        is_requester(actor, request)
        or can_screen_request(actor, request)
        or is_routed_manager(actor, request)
        or follows_as_cluster(actor, request)
    )


def can_message_request(actor, request: IntakeRequest) -> bool:
    """The requester's side, the screeners and the routed facilities; a cluster that only follows a member's
    request reads it."""
    return is_requester(actor, request) or can_screen_request(actor, request) or is_routed_manager(actor, request)


def can_withdraw_request(actor, request: IntakeRequest) -> bool:
    return is_requester(actor, request)


def can_see_screening_queue(actor) -> bool:
    if not _is_user(actor):
        return False
    return roles.is_platform_admin(actor) or bool(roles.screener_institution_ids(actor))


def can_see_manager_inbox(actor) -> bool:
    return _is_user(actor) and roles.manages_any_facility(actor)


def can_manage_api_keys(user, organisation) -> bool:
    """Make, renew and revoke a cluster's or TTO's API keys and set their webhooks: its approved admins and
    platform admins."""
    if not _is_user(user) or organisation is None or organisation.kind not in CLUSTER_KINDS:
        return False
    return roles.is_platform_admin(user) or is_organisation_admin(user, organisation)


def can_manage_api_client(user, client: ApiClient) -> bool:
    return client.organisation_id is not None and can_manage_api_keys(user, client.organisation)
