"""Writes on a request from its requester's and its screener's side: submit, confirm, messages, withdraw, ask for
information, checklist, decline, close."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import clusters_acted_for, member_companies_of, organisations_acted_for
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from core.validators import normalise_org_number
from intake import emails
from intake.choices import (
    AuthorRole,
    CloseReason,
    DeclineReason,
)
from intake.models import ApiClient, IntakeRequest, RequestEvent, RequestMessage
from intake.services.state import S, actor_fields, decline_reason_check, request_lock, request_transition


@transaction.atomic
def request_submit(
    *, data: dict, user=None, client: ApiClient | None = None, on_behalf_of=None, now=None
) -> IntakeRequest:
    """Store a request and put it in the right queue.

    From a signed-in user or an API client it enters screening at once; without an account it waits until the
    e-mail address is confirmed by the link we send. A signed-in requester who is an approved member of the
    organisation with the given number makes the request for it (`organisation`); anyone else's typed company
    name and number stay text that points to no organisation.

    A cluster's or TTO's staff member sends it `on_behalf_of` one of the cluster's member companies that agreed to
    it (`shares_requests`, decided by the company's admins): the company is
    recorded (`organisation`, its registered name and number) and the cluster as the sender
    (`sent_by_organisation`). A cluster's key sends it for the member company with the given number, when the
    company is its member.
    """
    data = dict(data)
    if not data.get("consent_to_share"):
        raise DomainError(
            _("We can only route the request when you agree that it is shared with the institutions."),
            field="consent_to_share",
            code="consent_required",
        )
    data["org_number"] = normalise_org_number(data.get("org_number", ""))
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    facility = data.get("preferred_facility")
    institution = data.get("preferred_institution") or (facility.institution if facility else None)
    organisation, sender = None, None
    if on_behalf_of is not None:
        sender = (
            clusters_acted_for(user)
            .filter(member_companies__company=on_behalf_of, member_companies__shares_requests=True)
            .first()
            if user
            else None
        )
        if sender is None:
            raise DomainError(
                _(
                    "You can send requests only for member companies of your cluster or TTO that have agreed to it "
                    "on their organisation's page."
                ),
                field="on_behalf_of",
                code="not_a_member",
            )
        organisation = on_behalf_of
        data["company_name"], data["org_number"] = on_behalf_of.name, on_behalf_of.org_number or data["org_number"]
    elif client is not None and client.organisation_id is not None:
        sender = client.organisation
        organisation = member_companies_of([sender.pk]).filter(org_number=data["org_number"]).first()
    elif user is not None and data["org_number"]:
        organisation = organisations_acted_for(user).filter(org_number=data["org_number"]).first()
    request = IntakeRequest(
        **data, requester=user, submitted_by_client=client, institution=institution, organisation=organisation,
        sent_by_organisation=sender,
    )  # fmt: skip
    if user is not None and not data.get("language"):
        request.language = user.language
    request.full_clean()
    request.save()
    RequestEvent.objects.create(request=request, to_status=S.SUBMITTED, **actor_fields(client or user))
    if user is None and client is None:
        request.confirmation_token = secrets.token_urlsafe(32)
        request_transition(
            request, S.AWAITING_CONFIRMATION, actor=None, reason=_("Waiting for the e-mail confirmation."), now=now
        )
        email_queue(kind=emails.CONFIRMATION, object_id=request.pk)
    else:
        request_transition(request, S.IN_SCREENING, actor=client or user, now=now)
    return request


@transaction.atomic
def request_confirm_email(*, token: str, now=None) -> IntakeRequest:
    """The requester followed the link in the confirmation e-mail: the request enters the queue."""
    request = IntakeRequest.objects.select_for_update().filter(confirmation_token=token).first() if token else None
    if request is None:
        raise DomainError(_("This confirmation link is not valid."), field="token", code="invalid_token")
    if request.status != S.AWAITING_CONFIRMATION:
        return request  # a second click changes nothing
    request.confirmed_at = now or timezone.now()
    request_transition(request, S.IN_SCREENING, actor=None, reason=_("E-mail address confirmed."), now=now)
    return request


@transaction.atomic
def request_add_message(
    *, request: IntakeRequest, actor, body: str, role: str, internal: bool = False, now=None
) -> RequestMessage:
    """Add a message. When the requester answers a request for information, screening resumes.

    A facility manager's message belongs to their facility's routing, so the other facilities never read it.
    An internal note (a screener's note to the facilities, a facility's own note) is never shown to the requester
    and tells them nothing.
    """
    if internal and role == AuthorRole.REQUESTER:
        raise DomainError(_("The requester cannot write internal notes."), field="internal", code="not_allowed")
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message."), field="message", code="required")
    request = request_lock(request)
    if request.status in (S.DECLINED, S.WITHDRAWN, S.CLOSED):
        raise ConflictError(
            _("The request is “%(status)s”; send a new request instead.") % {"status": S(request.status).label},
            field="status",
            code="request_finished",
        )
    client = actor if isinstance(actor, ApiClient) else None
    user = actor if client is None and getattr(actor, "is_authenticated", False) else None
    routing = None
    if role == AuthorRole.MANAGER and user is not None:
        routing = request.routings.filter(facility__managers__user=user).order_by("-routed_at").first()
    message = RequestMessage.objects.create(
        request=request,
        routing=routing,
        internal=internal,
        body=body,
        author_role=role,
        author_user=user,
        author_client=client,
        author_label=str(user) if user else client.name if client else request.contact_name,
    )
    if role == AuthorRole.REQUESTER and request.status == S.NEEDS_INFO:
        request_transition(request, S.IN_SCREENING, actor=actor, reason=_("The requester added information."), now=now)
    elif role != AuthorRole.REQUESTER and not internal:
        email_queue(kind=emails.MESSAGE_ADDED, object_id=message.pk)
    return message


@transaction.atomic
def request_withdraw(*, request: IntakeRequest, actor, reason: str = "", now=None) -> IntakeRequest:
    request = request_lock(request)
    request_transition(request, S.WITHDRAWN, actor=actor, reason=reason, now=now)
    return request


@transaction.atomic
def request_ask_for_info(*, request: IntakeRequest, user, message: str, now=None) -> IntakeRequest:
    """Ask the requester for more information; the response clock pauses until they answer."""
    message = (message or "").strip()
    if not message:
        raise DomainError(_("Say what information you need."), field="message", code="required")
    request = request_lock(request)
    request_transition(request, S.NEEDS_INFO, actor=user, reason=message, now=now)
    RequestMessage.objects.create(
        request=request, body=message, author_role=AuthorRole.SCREENER, author_user=user, author_label=str(user)
    )
    return request


@transaction.atomic
def request_update_checklist(*, request: IntakeRequest, user, checks: dict) -> IntakeRequest:
    request = request_lock(request)
    for field in IntakeRequest.CHECKLIST_FIELDS:
        if field in checks:
            setattr(request, field, bool(checks[field]))
    request.save(update_fields=[*IntakeRequest.CHECKLIST_FIELDS, "updated_at"])
    return request


@transaction.atomic
def request_decline(*, request: IntakeRequest, user, reason: str, comment: str = "", now=None) -> IntakeRequest:
    """The screener declines: a reason from the list plus free text, both shown to the requester."""
    decline_reason_check(reason)
    request = request_lock(request)
    request.decline_reason = reason
    request.decline_comment = comment or ""
    label = DeclineReason(reason).label
    request_transition(request, S.DECLINED, actor=user, reason=f"{label}. {comment}".strip(), now=now)
    return request


@transaction.atomic
def request_close(
    *,
    request: IntakeRequest,
    user,
    reason: str,
    duplicate_of: IntakeRequest | None = None,
    comment: str = "",
    now=None,
) -> IntakeRequest:
    """Close a request as a duplicate (of another request), as spam, or when the matter is completed."""
    if reason not in CloseReason.values:
        raise DomainError(_("Unknown reason."), field="reason", code="invalid_choice")
    if duplicate_of is not None and duplicate_of.pk == request.pk:
        raise DomainError(_("A request cannot be a duplicate of itself."), field="duplicate_of")
    request = request_lock(request)
    request.close_reason = reason
    request.duplicate_of = duplicate_of if reason == CloseReason.DUPLICATE else None
    text = str(CloseReason(reason).label)
    if duplicate_of is not None:
        text += f" (#{duplicate_of.pk})"
    request_transition(request, S.CLOSED, actor=user, reason=f"{text}. {comment}".strip(" ."), now=now)
    return request
