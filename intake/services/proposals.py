"""The requester's side of a proposal: the standard agreement that comes with it, and accepting or declining it.

Accepting records who accepted which version of the agreement, when, for which organisation and at which price,
and keeps the agreement as a PDF (agreements.services.agreement_accept). One proposal per request can be accepted.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import selectors as agreement_selectors
from agreements import services as agreement_services
from agreements.choices import AgreementKind
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from intake import emails
from intake.choices import AgreementType, ProposalKind, RequesterDecision, RoutingStatus
from intake.models import RequestEvent, Routing
from intake.services.state import actor_fields

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


@transaction.atomic
def proposal_decide(*, routing: Routing, actor, decision: str, now=None) -> Routing:
    """The requester accepts a facility's proposal (and its agreement, kept as a PDF) or declines it."""
    if decision not in RequesterDecision.values:
        raise DomainError(_("Accept or decline the proposal."), field="decision", code="invalid_choice")
    routing = Routing.objects.select_for_update().select_related("request", "facility__institution").get(pk=routing.pk)
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
    if decision == RequesterDecision.ACCEPTED and routing.agreement_template is not None:
        routing.agreement = agreement_services.agreement_accept(
            template=routing.agreement_template,
            facility=routing.facility,
            user=labels.get("actor_user"),
            accepted_by_name=name,
            # The registered organisation when the request was made for one (its verified name and number),
            # otherwise what the requester typed.
            organisation_name=request.organisation.name if request.organisation else request.company_name,
            org_number=request.organisation.org_number or "" if request.organisation else request.org_number,
            price_amount=routing.quote_amount,
            subject=f"{request.description}\n\n{routing.proposal_text}".strip(),
            reference=_("Labtorget request #%(id)s") % {"id": request.pk},
            language=request.language,
        )
    routing.requester_decision = decision
    routing.requester_decided_at = now or timezone.now()
    routing.save(update_fields=["requester_decision", "requester_decided_at", "agreement"])
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
