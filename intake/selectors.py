"""Reads for the intake queue. Every list is filtered by who may see it (see policies.py)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import clusters_acted_for, companies_sharing_with, email_verified
from catalogue import roles
from catalogue.choices import InstitutionRoleKind, PublicationStatus
from catalogue.models import ContactPerson, Facility, FacilityManager, Institution, InstitutionRole
from core.errors import ConflictError
from intake.choices import CLOCK_RUNNING, NOT_YET_IN_QUEUE, RequestStatus, RoutingStatus
from intake.models import ApiClient, IntakeRequest, NationalScreener, Routing


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "institution",
        "preferred_institution",
        "preferred_facility",
        "preferred_category",
        "submitted_by_client",
        "organisation",
        "sent_by_organisation",
    )


# --- Who answers: every queue, routing and escalation reaches a person ------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone an intake e-mail goes to: a person with an account, or a facility's contact person without one."""

    email: str
    language: str
    name: str = ""
    user_id: int | None = None

    @property
    def has_account(self) -> bool:
        return self.user_id is not None


def _reachable_users(queryset) -> QuerySet:
    """Users who can be told: active, with an e-mail address."""
    return queryset.filter(is_active=True).exclude(email="")


def _recipients(users) -> list[Recipient]:
    found = {}
    for user in users:
        found.setdefault(user.email.lower(), Recipient(user.email, user.language, str(user), user.pk))
    return sorted(found.values(), key=lambda recipient: recipient.email)


def institutions_with_screeners() -> QuerySet:
    """Ids of the institutions with at least one screener who can be told (a subquery, for filters)."""
    return (
        InstitutionRole.objects.filter(role=InstitutionRoleKind.SCREENER, user__is_active=True)
        .exclude(user__email="")
        .values("institution_id")
    )


def is_national_queue(request: IntakeRequest) -> bool:
    """Whether the national screening team holds the request: it names no institution, or one without screeners."""
    if request.institution_id is None:
        return True
    return not institutions_with_screeners().filter(institution_id=request.institution_id).exists()


def national_queue_condition() -> Q:
    """Requests naming no institution or one without screeners. (Django's negated `__in` on a nullable field keeps
    the NULLs, so the requests naming no institution need no term of their own.)"""
    return ~Q(institution_id__in=institutions_with_screeners())


def is_national_screener(user) -> bool:
    return roles.is_authenticated(user) and NationalScreener.objects.filter(user=user).exists()


def institution_people(institution_ids, role: str) -> list[Recipient]:
    users = get_user_model().objects.filter(
        institution_roles__institution_id__in=institution_ids, institution_roles__role=role
    )
    return _recipients(_reachable_users(users).distinct())


def national_team() -> list[Recipient]:
    return _recipients(_reachable_users(get_user_model().objects.filter(national_screener__isnull=False)))


def platform_admins() -> list[Recipient]:
    return _recipients(_reachable_users(get_user_model().objects.filter(is_staff=True)))


def last_resort() -> list[Recipient]:
    """The operators' addresses (INTAKE_FALLBACK_EMAILS): told only when no person with a role can be."""
    return [
        Recipient(email, settings.LANGUAGE_CODE, email) for email in settings.INTAKE_FALLBACK_EMAILS if email.strip()
    ]


def _first_nonempty(*levels) -> list[Recipient]:
    for level in levels:
        people = level()
        if people:
            return people
    return []


def queue_people(request: IntakeRequest) -> list[Recipient]:
    """Who holds the request in screening: its institution's screeners; where there are none, the national
    screening team; where that is empty, the platform admins; then the operators' addresses."""
    levels = [national_team, platform_admins, last_resort]
    if request.institution_id is not None:
        levels.insert(0, lambda: institution_people([request.institution_id], InstitutionRoleKind.SCREENER))
    return _first_nonempty(*levels)


def routing_people(routing: Routing) -> list[Recipient]:
    """Who answers for a facility: its managers; where there are none, its primary contact person (by e-mail with
    a signed link, no account needed). Empty when neither can be told."""
    managers = _reachable_users(get_user_model().objects.filter(managed__facility_id=routing.facility_id))
    people = _recipients(managers)
    if people:
        return people
    contact = facility_contact(routing.facility_id)
    if contact is not None:
        return [Recipient(contact.email, settings.LANGUAGE_CODE, contact.name)]
    return []


def facility_contact(facility_id: int) -> ContactPerson | None:
    """The facility's primary contact person, when there is one with an e-mail address."""
    return ContactPerson.objects.filter(facility_id=facility_id, is_primary=True).exclude(email="").first()


def facility_has_responder(facility: Facility) -> bool:
    return bool(
        _reachable_users(get_user_model().objects.filter(managed__facility=facility)).exists()
        or facility_contact(facility.pk)
    )


def responsible_people(request: IntakeRequest) -> list[Recipient]:
    """Who owes the requester an answer now: the facilities while it is routed, otherwise its screening queue."""
    if request.status == RequestStatus.ROUTED:
        people = {}
        for routing in request.routings.filter(status=RoutingStatus.PENDING):
            for person in routing_people(routing):
                people.setdefault(person.email, person)
        if people:
            return sorted(people.values(), key=lambda recipient: recipient.email)
    return queue_people(request)


def escalation_people(request: IntakeRequest) -> list[Recipient]:
    """Who is above the people holding an overdue request.

    Routed: the admins of the facilities' institutions; where there are none, the screening queue that routed it.
    In an institution's queue: its admins, else the national screening team, else the platform admins. In the
    national queue: the platform admins. The operators' addresses are the last resort, so the list is never empty
    when INTAKE_FALLBACK_EMAILS is set (the daily responder check reports it when it would be).
    """
    if request.status == RequestStatus.ROUTED:
        institution_ids = request.routings.filter(status=RoutingStatus.PENDING).values("facility__institution_id")
        admins = institution_people(institution_ids, InstitutionRoleKind.ADMIN)
        return admins or queue_people(request)
    if not is_national_queue(request):
        return _first_nonempty(
            lambda: institution_people([request.institution_id], InstitutionRoleKind.ADMIN),
            national_team,
            platform_admins,
            last_resort,
        )
    return _first_nonempty(platform_admins, last_resort)


def responder_gaps() -> dict:
    """Where nobody would answer: for the daily check and the admin.

    `institutions`: without a screener of their own (their requests go to the national screening team);
    `facilities`: published, with no manager and no primary contact with an e-mail address (routing is refused);
    `national_team_empty`: no national screener (platform admins receive the national queue);
    `nobody_above`: no platform admin and no INTAKE_FALLBACK_EMAILS: an escalation of the national queue would
    reach nobody.
    """
    institutions = list(Institution.objects.exclude(pk__in=institutions_with_screeners()).order_by("name"))
    reachable_managers = FacilityManager.objects.filter(user__is_active=True).exclude(user__email="")
    contacts = ContactPerson.objects.filter(is_primary=True).exclude(email="")
    facilities = list(
        Facility.objects.filter(status=PublicationStatus.PUBLISHED)
        .exclude(pk__in=reachable_managers.values("facility_id"))
        .exclude(pk__in=contacts.values("facility_id"))
        .select_related("institution")
        .order_by("name")
    )
    return {
        "institutions": institutions,
        "facilities": facilities,
        "national_team_empty": not national_team(),
        "nobody_above": not platform_admins() and not last_resort(),
    }


def responder_gap_lines(gaps: dict, *, only_defects: bool = False) -> list[str]:
    """The gaps as lines for people: the command, the daily e-mail-free log and the admin's warnings.

    Institutions without screeners are not a defect (the national team answers for them), so `only_defects`
    leaves them out."""
    lines = []
    if gaps["nobody_above"]:
        lines.append(str(_("Nobody is above the national queue: no platform admin and no INTAKE_FALLBACK_EMAILS.")))
    if gaps["national_team_empty"]:
        lines.append(str(_("The national screening team is empty: platform admins receive its requests.")))
    lines.extend(
        str(_("No manager and no primary contact with an e-mail address: %(facility)s (%(institution)s)"))
        % {"facility": facility.name, "institution": facility.institution.short_name or facility.institution.name}
        for facility in gaps["facilities"]
    )
    if not only_defects and gaps["institutions"]:
        lines.append(
            str(_("Without screeners of their own (the national team answers): %(names)s"))
            % {"names": ", ".join(institution.short_name or institution.name for institution in gaps["institutions"])}
        )
    return lines


def requests_visible_to(actor) -> QuerySet:
    """Every request the actor may read: own ones, the screening queue, and those routed to their facilities."""
    if isinstance(actor, ApiClient):
        condition = Q(submitted_by_client=actor)
        if actor.organisation_id is not None:
            condition |= cluster_condition([actor.organisation_id])
        return _with_relations(IntakeRequest.objects.filter(condition))
    if not roles.is_authenticated(actor):
        return IntakeRequest.objects.none()
    condition = Q(requester=actor) | confirmed_sender_condition(actor)
    clusters = list(clusters_acted_for(actor).values_list("pk", flat=True))
    if clusters:
        condition |= cluster_condition(clusters)
    queued = ~Q(status__in=NOT_YET_IN_QUEUE)
    screened = roles.screener_institution_ids(actor)
    if screened:
        condition |= Q(institution_id__in=screened) & queued
    if roles.is_platform_admin(actor) or is_national_screener(actor):
        condition |= national_queue_condition() & queued
    managed = FacilityManager.objects.filter(user=actor).values("facility_id")
    condition |= Q(routings__facility_id__in=managed)
    return _with_relations(IntakeRequest.objects.filter(condition).distinct())


def cluster_condition(cluster_ids) -> Q:
    """Requests these clusters or TTOs sent for a member company, and those naming a member company that lets
    them follow its requests (intake.policies.is_requester, follows_as_cluster)."""
    return Q(sent_by_organisation_id__in=cluster_ids) | Q(organisation_id__in=companies_sharing_with(cluster_ids))


def requests_of_requester(user) -> QuerySet:
    """The person's own requests, newest first: those they sent signed in, and those sent from an e-mail address
    they have confirmed (confirmed_sender_condition)."""
    return (
        IntakeRequest.objects.filter(Q(requester=user) | confirmed_sender_condition(user))
        .select_related("institution")
        .order_by("-created_at")
    )


def requests_of_clusters(user) -> QuerySet:
    """For a cluster's or TTO's staff: the requests their clusters sent and those of member companies that share
    them, newest first (empty for anyone else)."""
    clusters = list(clusters_acted_for(user).values_list("pk", flat=True))
    if not clusters:
        return IntakeRequest.objects.none()
    queryset = IntakeRequest.objects.filter(cluster_condition(clusters)).exclude(status__in=NOT_YET_IN_QUEUE)
    return queryset.select_related("institution", "organisation", "sent_by_organisation").order_by("-created_at")


def confirmed_sender_condition(user) -> Q:
    """Requests sent without an account whose confirmed e-mail address the user has verified as theirs
    (intake.policies.is_confirmed_sender); nothing when the user's address is not verified."""
    if not user.email or not email_verified(user):
        return Q(pk__in=[])
    return Q(
        requester__isnull=True, submitted_by_client__isnull=True, confirmed_at__isnull=False, email__iexact=user.email
    )


def screening_queue(user, *, include_closed: bool = False) -> QuerySet:
    """Requests the user screens: their institutions' queues, plus the national queue for the national screening
    team and platform admins (requests that name no institution, or one without screeners)."""
    condition = Q(institution_id__in=roles.screener_institution_ids(user))
    if roles.is_platform_admin(user) or is_national_screener(user):
        condition |= national_queue_condition()
    queryset = IntakeRequest.objects.filter(condition).exclude(status__in=NOT_YET_IN_QUEUE)
    if not include_closed:
        queryset = queryset.filter(status__in=["in_screening", "needs_info", "routed"])
    return _with_relations(queryset).order_by("deadline_at", "created_at")


def manager_inbox(user) -> QuerySet:
    """Routings to facilities the user manages, newest first."""
    managed = FacilityManager.objects.filter(user=user).values("facility_id")
    return (
        Routing.objects.filter(facility_id__in=managed)
        .select_related("request", "facility", "facility__institution")
        .order_by("status", "-routed_at")
    )


def request_detail(pk: int) -> IntakeRequest:
    return _with_relations(IntakeRequest.objects.all()).get(pk=pk)


def request_history(request: IntakeRequest) -> QuerySet:
    return request.events.select_related("actor_user", "actor_client")


def request_messages(request: IntakeRequest) -> QuerySet:
    return request.messages.all()


def request_referrals(request: IntakeRequest) -> QuerySet:
    return request.referrals.all()


def routing_for_answer_token(token: str, *, lock: bool = False) -> Routing:
    """The pending routing a contact person's signed link names (the answer page; the answer itself reads it again
    with `lock`, inside its transaction). DomainError/ConflictError naming `token` when the link is expired,
    tampered with, used, or the routing was answered another way."""
    from intake import answer_links

    routing_id, nonce = answer_links.answer_token_read(token)
    routings = Routing.objects.select_related("request", "facility", "facility__institution")
    if lock:
        routings = Routing.objects.select_for_update()
    routing = routings.filter(pk=routing_id).first()
    if routing is None or not routing.answer_nonce or routing.answer_nonce != nonce:
        raise ConflictError(
            _("This link has already been used, or the request was answered another way."),
            field="token",
            code="link_used",
        )
    if routing.status != RoutingStatus.PENDING:
        raise ConflictError(_("This routing has already been answered."), field="token", code="already_answered")
    return routing


def request_routings(request: IntakeRequest) -> QuerySet:
    return request.routings.select_related("facility", "facility__institution", "agreement_template", "resource")


def requests_due_for_reminder(*, now: datetime.datetime) -> list[IntakeRequest]:
    horizon = now + datetime.timedelta(hours=settings.INTAKE_REMINDER_HOURS)
    return list(
        IntakeRequest.objects.filter(
            status__in=CLOCK_RUNNING, deadline_at__gt=now, deadline_at__lte=horizon, reminded_at__isnull=True
        )
    )


def requests_overdue_for_escalation(*, now: datetime.datetime) -> list[IntakeRequest]:
    return list(IntakeRequest.objects.filter(status__in=CLOCK_RUNNING, deadline_at__lte=now, escalated_at__isnull=True))


def pending_routings(request: IntakeRequest) -> QuerySet:
    return request.routings.filter(status=RoutingStatus.PENDING).select_related("facility")


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is, or None. Compares hashes in constant time."""
    import hmac

    if not key:
        return None
    client = ApiClient.objects.filter(key_prefix=key[:12]).first()
    if client is None or client.is_revoked:
        return None
    if not hmac.compare_digest(client.key_hash, ApiClient.hash_key(key)):
        return None
    return client


def is_overdue(request: IntakeRequest, *, now: datetime.datetime | None = None) -> bool:
    return bool(request.deadline_at and request.deadline_at <= (now or timezone.now()))


def dashboard_counts(user) -> dict:
    """What waits for the user: own open requests, requests in their screening queue, routings to answer."""
    from catalogue import roles as _roles

    if not _roles.is_authenticated(user):
        return {}
    open_statuses = ["awaiting_confirmation", "in_screening", "needs_info", "routed", "accepted"]
    counts = {"mine": IntakeRequest.objects.filter(requester=user, status__in=open_statuses).count()}
    if _roles.is_platform_admin(user) or _roles.screener_institution_ids(user) or is_national_screener(user):
        counts["queue"] = screening_queue(user).filter(status="in_screening").count()
    managed = FacilityManager.objects.filter(user=user).values("facility_id")
    counts["inbox"] = Routing.objects.filter(facility_id__in=managed, status=RoutingStatus.PENDING).count()
    return counts


def api_clients_of(organisation) -> QuerySet:
    """The organisation's API keys, the active ones first, newest first."""
    return ApiClient.objects.filter(organisation=organisation).order_by(F("revoked_at").desc(nulls_first=True), "-id")
