"""The requester's side of a proposal: the standard agreement that comes with it, and accepting or declining it.

Accepting makes what the proposal is for (a booking or series at the proposal's price, a service order for staff-run
work, an approved collaboration agreement), through booking's and pricing's services, then records who accepted
which version of the agreement, when, for which organisation and at which price, and keeps the agreement as a PDF
(agreements.services.agreement_accept). One proposal per request can be accepted; nothing is half-written.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import organisation_members_approved, organisations_acted_for
from agreements import selectors as agreement_selectors
from agreements import services as agreement_services
from agreements.choices import AgreementKind
from booking import services as booking_services
from catalogue.choices import AccessModel
from catalogue.models import Resource
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from intake import emails
from intake.choices import AgreementType, ProposalKind, RequesterDecision, RoutingStatus
from intake.models import RequestEvent, Routing
from intake.services.state import actor_fields, request_lock
from pricing import services as pricing_services

# Which standard agreement comes with which proposal: an agreement proposal names its type; a quote is a service
# order; a booking is rental.
AGREEMENT_FOR_PROPOSAL = {
    ProposalKind.QUOTE: AgreementKind.SERVICE,
    ProposalKind.BOOKING: AgreementKind.RENTAL,
}
AGREEMENT_FOR_TYPE = {
    AgreementType.RENTAL: AgreementKind.RENTAL,
    AgreementType.SERVICE: AgreementKind.SERVICE,
    AgreementType.COMMISSIONED: AgreementKind.COMMISSIONED,
    AgreementType.COLLABORATION: AgreementKind.COLLABORATION,
}


def proposal_agreement_template(routing: Routing):
    """The current version of the agreement that comes with the routing's proposal (the facility's institution's
    own, else the national standard); None when there is none."""
    if routing.proposal_kind == ProposalKind.AGREEMENT:
        kind = AGREEMENT_FOR_TYPE.get(routing.agreement_type)
    else:
        kind = AGREEMENT_FOR_PROPOSAL.get(routing.proposal_kind)
    if kind is None:
        return None
    return agreement_selectors.agreement_template_current(institution_id=routing.facility.institution_id, kind=kind)


# What kind of use a proposal is for: the agreement type it names, else a booking is rental and a quote a service.
ACCESS_MODEL_FOR_TYPE = {
    AgreementType.RENTAL: AccessModel.RENTAL,
    AgreementType.SERVICE: AccessModel.SERVICE,
    AgreementType.COMMISSIONED: AccessModel.COMMISSIONED,
    AgreementType.COLLABORATION: AccessModel.COLLABORATION,
}


def proposal_access_model(routing: Routing) -> str:
    if routing.agreement_type:
        return ACCESS_MODEL_FOR_TYPE[routing.agreement_type]
    return AccessModel.RENTAL if routing.proposal_kind == ProposalKind.BOOKING else AccessModel.SERVICE


def proposal_makes(routing: Routing) -> list[str]:
    """What accepting the proposal makes, in this order: "collaboration_agreement" (a collaboration agreement
    proposed by the facility, approved for the person who accepts), "series" or "booking" (a proposed slot), or
    "service_order" (a quote that says what it covers, for staff-run work)."""
    makes = []
    if routing.agreement_type == AgreementType.COLLABORATION:
        makes.append("collaboration_agreement")
    if routing.slot_start is not None:
        makes.append("series" if routing.series_frequency else "booking")
    elif routing.resource_id is not None and routing.quantity and routing.quote_amount is not None:
        makes.append("service_order")
    return makes


@transaction.atomic
def proposal_decide(*, routing: Routing, actor, decision: str, now=None) -> Routing:
    """The requester accepts a facility's proposal or declines it.

    Accepting makes what the proposal is for, through pricing's and booking's services (proposal_makes): the
    collaboration agreement, approved, so that the person's collaboration research there is non-economic; the
    booking or series in the person's name at the proposal's amount, through the one booking guard and every
    booking rule; or the service order. Then it records the standard agreement (who, which version, when, for
    which organisation, at which price) with its PDF. Bookings, series and orders are made for a person: a
    requester without an account, or a cluster's key, is asked to sign in (409 `account_needed`). A collaboration
    agreement covers the person who accepts and the approved members of the request's registered organisation when
    they act for it. A cluster's staff or key accept for the cluster, never for the member company it sent the
    request for. When the slot is taken meanwhile, or the resource can no longer be booked, nothing is stored and
    the error says why.
    """
    if decision not in RequesterDecision.values:
        raise DomainError(_("Accept or decline the proposal."), field="decision", code="invalid_choice")
    routing = (
        Routing.objects.select_for_update(of=("self",))  # the request's organisation is an outer join
        .select_related("request", "request__organisation", "facility__institution")
        .get(pk=routing.pk)
    )
    # The request is locked too (after the routing, as routing_accept does), so that two proposals of one request
    # accepted at the same moment cannot both pass the one-accepted check below.
    request_lock(routing.request)
    request = routing.request
    if routing.status != RoutingStatus.ACCEPTED:
        raise ConflictError(_("There is no proposal to answer yet."), field="routing", code="no_proposal")
    if routing.requester_decision:
        raise ConflictError(_("You have already answered this proposal."), field="routing", code="already_decided")
    if (
        decision == RequesterDecision.ACCEPTED
        and request.routings.filter(requester_decision=RequesterDecision.ACCEPTED).exists()
    ):
        raise ConflictError(
            _("You have already accepted another proposal for this request."), field="routing", code="one_accepted"
        )
    labels = actor_fields(actor)
    # Who accepts, as the agreement names them: the person signed in, the cluster or TTO by its key, or the
    # contact person the request names (the follow link of a requester without an account).
    if "actor_user" in labels or "actor_client" in labels:
        name = labels["actor_label"]
    else:
        name = request.contact_name
        labels = {"actor_label": name}
    if decision == RequesterDecision.ACCEPTED:
        person = labels.get("actor_user")
        made = _proposal_carry_out(routing, person=person)
        party_name, party_number = _accepting_party(request, person)
        if routing.agreement_template is not None:
            routing.agreement = agreement_services.agreement_accept(
                template=routing.agreement_template,
                facility=routing.facility,
                user=labels.get("actor_user"),
                accepted_by_name=name,
                organisation_name=party_name,
                org_number=party_number,
                price_amount=routing.quote_amount,
                subject="\n\n".join(part for part in (request.description, routing.proposal_text, made) if part),
                reference=_("Labtorget request #%(id)s") % {"id": request.pk},
                language=request.language,
            )
    routing.requester_decision = decision
    routing.requester_decided_at = now or timezone.now()
    routing.save(
        update_fields=[
            "requester_decision", "requester_decided_at", "agreement", "booking_id", "series", "service_order",
            "collaboration_agreement",
        ]
    )  # fmt: skip
    text = (
        _("%(company)s accepted the proposal of %(facility)s.")
        if decision == RequesterDecision.ACCEPTED
        else _("%(company)s declined the proposal of %(facility)s.")
    )
    RequestEvent.objects.create(
        request=request,
        from_status=request.status,
        to_status=request.status,
        reason=text % {"company": request.company_name, "facility": routing.facility},
        **labels,
    )
    email_queue(kind=emails.PROPOSAL_DECIDED, object_id=routing.pk)
    return routing


def _organisation_acted_for(request, person):
    """The request's registered organisation when `person` is its approved member, else None: only its own people
    bind it (a cluster that sent the request for a member company does not)."""
    organisation = request.organisation
    if organisation is None or person is None:
        return None
    return organisation if organisations_acted_for(person).filter(pk=organisation.pk).exists() else None


def _accepting_party(request, person) -> tuple[str, str]:
    """For whom an agreement is accepted (name, organisation number): the request's registered organisation when
    the person acts for it; else the cluster or TTO that sent the request (its staff or key accept for it, not for
    the member company, which never agreed); else what the requester typed."""
    organisation = _organisation_acted_for(request, person) or request.sent_by_organisation
    if organisation is not None:
        return organisation.name, organisation.org_number or ""
    return request.company_name, request.org_number


def _proposal_carry_out(routing: Routing, *, person) -> str:
    """Make what the accepted proposal is for (proposal_makes), in `person`'s name; a line saying what was made,
    for the agreement. Raises the booking's or pricing's DomainError, worded for the requester."""
    makes = proposal_makes(routing)
    if not makes:
        return ""
    request = routing.request
    if person is None and makes != ["collaboration_agreement"]:
        raise ConflictError(
            _(
                "Accepting this proposal makes a booking or an agreement in a person's name: sign in to Labtorget "
                "(or create an account with the request's e-mail address) and accept it there."
            ),
            field="routing",
            code="account_needed",
        )
    access_model = proposal_access_model(routing)
    # A cluster's staff member who sent it for a member company pays as themselves and binds only themselves.
    organisation = _organisation_acted_for(request, person)
    partner_name, partner_number = _accepting_party(request, person)
    reference = _("Labtorget request #%(id)s") % {"id": request.pk}
    lines = []
    try:
        if "collaboration_agreement" in makes:
            routing.collaboration_agreement = pricing_services.collaboration_agreement_record_accepted(
                facility=routing.facility,
                title=f"{reference}: {request.description}"[:200],
                partner_name=partner_name,
                partner_org_number=partner_number,
                # The person who accepts and the approved members of the registered organisation they act for.
                participants=[person, *organisation_members_approved(organisation)],
                approved_by=routing.decided_by,
                description=routing.proposal_text,
            )
            lines.append(_("Collaboration agreement no. %(number)s") % {"number": routing.collaboration_agreement.pk})
        if "booking" in makes or "series" in makes:
            resource = Resource.objects.select_related("facility", "booking_policy").get(pk=routing.resource_id)
            common = {
                "resource": resource, "user": person, "start": routing.slot_start, "end": routing.slot_end,
                "access_model": access_model, "purpose": f"{reference}. {request.description}"[:1000],
                "organisation": organisation, "agreed_net_amount": routing.quote_amount,
            }  # fmt: skip
            if "series" in makes:
                result = booking_services.booking_series_create(
                    **common, frequency=routing.series_frequency, count=routing.series_count
                )
                routing.series = result.created[0].recurrence_group
                routing.booking_id = result.created[0].pk
                lines.append(_("Bookings no. %(numbers)s") % {"numbers": ", ".join(str(b.pk) for b in result.created)})
            else:
                routing.booking_id = booking_services.booking_create(**common).pk
                lines.append(_("Booking no. %(number)s") % {"number": routing.booking_id})
        elif "service_order" in makes:
            routing.service_order = booking_services.service_order_create(
                resource=Resource.objects.select_related("facility").get(pk=routing.resource_id),
                user=person,
                access_model=access_model,
                quantity=routing.quantity,
                unit=routing.unit,
                agreed_net_amount=routing.quote_amount,
                organisation=organisation,
                description=routing.proposal_text or request.description,
                reference=reference,
            )
            lines.append(_("Service order no. %(number)s") % {"number": routing.service_order.pk})
    except DomainError as error:
        raise type(error)(
            _("The proposal could not be carried out, and nothing is stored: %(why)s Ask the facility for a new one.")
            % {"why": error.message},
            field=error.field or "routing",
            code=error.code,
            extra=error.extra,
        ) from error
    return "\n".join(str(line) for line in lines)
