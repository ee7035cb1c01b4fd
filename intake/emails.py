"""E-mails of the intake queue, each written in its recipient's language.

They go through core's outbox: a service queues one of the KINDS below with the id of the object it is about, in
its transaction (`core.outbox.email_queue`), and the renderers registered in IntakeConfig.ready() (`register`)
make the messages when the outbox sends them, from the data as it is then.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.outbox import email_kind_register
from intake import answer_links, selectors
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestEvent, RequestMessage, Routing

# The kinds of e-mail intake queues, and the object each names.
CONFIRMATION = "intake.confirmation"  # IntakeRequest: the requester confirms the e-mail address
STATUS_CHANGED = "intake.status_changed"  # RequestEvent: the requester hears of the new status
MESSAGE_ADDED = "intake.message_added"  # RequestMessage: the requester hears of a screener's or manager's message
ROUTED = "intake.routed"  # Routing: the facility's managers hear of a request routed to them
IN_QUEUE = "intake.in_queue"  # IntakeRequest: the screeners hear of a request waiting in their queue
DEADLINE_REMINDER = "intake.deadline_reminder"  # IntakeRequest: the people holding it, before its deadline
PROPOSAL_DECIDED = "intake.proposal_decided"  # Routing: the facility hears the requester's answer to its proposal
DEADLINE_ESCALATION = "intake.deadline_escalation"  # IntakeRequest: those above its queue, after its deadline


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _messages(recipients, language: str, subject_and_body) -> list[EmailMessage]:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return []
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, body = subject_and_body()
    return [EmailMessage(str(subject), str(body), to=recipients)]


def _requester_link(request: IntakeRequest) -> str:
    """The requester's own page: the detail page for an account, the secret follow link otherwise."""
    if request.requester_id:
        return _link("intake:detail", request.pk)
    if request.confirmation_token and request.confirmed_at:
        return _link("intake:follow", request.confirmation_token)
    return ""


def confirmation(request: IntakeRequest) -> list[EmailMessage]:
    def build():
        link = _link("intake:confirm", request.confirmation_token)
        return (
            _("Confirm your request to Labtorget"),
            _(
                "Hello %(name)s,\n\nwe received a request from %(company)s. Confirm your e-mail address by opening "
                "this link, and a contact person reads the request and finds the right facility:\n\n%(link)s\n\n"
                "If you did not send it, ignore this e-mail."
            )
            % {"name": request.contact_name, "company": request.company_name, "link": link},
        )

    return _messages([request.email], request.language, build)


def status_changed(event: RequestEvent) -> list[EmailMessage]:
    request = event.request

    def build():
        body = _("Hello %(name)s,\n\nyour request #%(id)s is now: %(status)s.") % {
            "name": request.contact_name,
            "id": request.pk,
            "status": RequestStatus(event.to_status).label,
        }
        if event.reason:
            body += "\n\n" + event.reason
        if link := _requester_link(request):
            body += "\n\n" + link
        return _("Your request #%(id)s: %(status)s") % {
            "id": request.pk,
            "status": RequestStatus(event.to_status).label,
        }, body

    return _messages([request.email], request.language, build)


def message_added(message: RequestMessage) -> list[EmailMessage]:
    request = message.request

    def build():
        body = _("Hello %(name)s,\n\nthere is a new message about your request #%(id)s:\n\n%(message)s") % {
            "name": request.contact_name,
            "id": request.pk,
            "message": message.body,
        }
        if link := _requester_link(request):
            body += "\n\n" + link
        return _("New message about your request #%(id)s") % {"id": request.pk}, body

    return _messages([request.email], request.language, build)


def _to(recipient: selectors.Recipient, build) -> list[EmailMessage]:
    return _messages([recipient.email], recipient.language, build)


def routed(routing: Routing) -> list[EmailMessage]:
    """Tell the facility: its managers with a link to the request; where it has none, its primary contact person
    with a signed link to answer without an account."""
    messages = []
    for person in selectors.routing_people(routing):
        if person.has_account:
            link = _link("intake:detail", routing.request_id)
            text = _("Request #%(id)s from %(company)s was routed to %(facility)s. Please answer it:\n\n%(link)s")
        elif routing.answer_nonce and person.email == routing.contact_email:
            link = _link("intake:answer", answer_links.answer_token_make(routing))
            text = _(
                "Request #%(id)s from %(company)s was routed to %(facility)s, where you are the contact person. "
                "Read it and answer (accept with a proposal, or decline with a reason) here; no account is "
                "needed, and the link works once, for %(days)s days:\n\n%(link)s"
            )
        else:
            continue  # the contact changed after routing; the daily responder check reports the facility

        def build(text=text, link=link):
            return (
                _("A request was routed to %(facility)s") % {"facility": routing.facility},
                text
                % {
                    "id": routing.request_id,
                    "company": routing.request.company_name,
                    "facility": routing.facility,
                    "link": link,
                    "days": settings.INTAKE_ANSWER_LINK_DAYS,
                },
            )

        messages += _to(person, build)
    return messages


def proposal_decided(routing: Routing) -> list[EmailMessage]:
    """Tell the facility (managers, else its contact person) that the requester accepted or declined."""
    messages = []
    for person in selectors.routing_people(routing):

        def build():
            accepted = routing.requester_decision == "accepted"
            subject = (
                _("Request #%(id)s: your proposal was accepted")
                if accepted
                else _("Request #%(id)s: your proposal was declined")
            ) % {"id": routing.request_id}
            return subject, _("%(company)s answered the proposal of %(facility)s: %(decision)s.") % {
                "company": routing.request.company_name,
                "facility": routing.facility,
                "decision": routing.get_requester_decision_display(),
            }

        messages += _to(person, build)
    return messages


def in_queue(request: IntakeRequest) -> list[EmailMessage]:
    """Tell whoever holds the screening queue (selectors.queue_people: never nobody) that a request waits."""
    messages = []
    for person in selectors.queue_people(request):

        def build():
            return (
                _("Request #%(id)s is in your screening queue") % {"id": request.pk},
                _("Request #%(id)s from %(company)s waits for screening:\n\n%(link)s")
                % {"id": request.pk, "company": request.company_name, "link": _link("intake:detail", request.pk)},
            )

        messages += _to(person, build)
    return messages


def deadline(request: IntakeRequest, kind: str) -> list[EmailMessage]:
    if kind == "reminder":
        people = selectors.responsible_people(request)
    else:
        people = selectors.escalation_people(request)
    messages = []
    for person in people:

        def build():
            when = timezone.localtime(request.deadline_at).strftime("%d.%m.%Y %H:%M") if request.deadline_at else ""
            if kind == "reminder":
                return (
                    _("Reminder: request #%(id)s is due %(when)s") % {"id": request.pk, "when": when},
                    _("Request #%(id)s must be answered by %(when)s:\n\n%(link)s")
                    % {"id": request.pk, "when": when, "link": _link("intake:detail", request.pk)},
                )
            # Those above a queue may not be allowed to read the request itself: no content, only the facts.
            return (
                _("Overdue: request #%(id)s was not answered in time") % {"id": request.pk},
                _(
                    "Request #%(id)s (status: %(status)s) passed its response deadline %(when)s. Please make sure "
                    "someone answers it."
                )
                % {"id": request.pk, "status": RequestStatus(request.status).label, "when": when},
            )

        messages += _to(person, build)
    return messages


# Renderers for the outbox: the messages of one queued e-mail, none when its object is gone.


def _render_confirmation(object_id: int, payload: dict) -> list[EmailMessage]:
    request = IntakeRequest.objects.filter(pk=object_id).first()
    return confirmation(request) if request else []


def _render_status_changed(object_id: int, payload: dict) -> list[EmailMessage]:
    event = RequestEvent.objects.select_related("request").filter(pk=object_id).first()
    return status_changed(event) if event else []


def _render_message_added(object_id: int, payload: dict) -> list[EmailMessage]:
    message = RequestMessage.objects.select_related("request").filter(pk=object_id).first()
    return message_added(message) if message else []


def _render_routed(object_id: int, payload: dict) -> list[EmailMessage]:
    routing = Routing.objects.select_related("request", "facility").filter(pk=object_id).first()
    return routed(routing) if routing else []


def _render_proposal_decided(object_id: int, payload: dict) -> list[EmailMessage]:
    routing = Routing.objects.select_related("request", "facility").filter(pk=object_id).first()
    return proposal_decided(routing) if routing else []


def _render_in_queue(object_id: int, payload: dict) -> list[EmailMessage]:
    request = IntakeRequest.objects.filter(pk=object_id).first()
    return in_queue(request) if request else []


def _render_deadline_reminder(object_id: int, payload: dict) -> list[EmailMessage]:
    request = IntakeRequest.objects.filter(pk=object_id).first()
    return deadline(request, "reminder") if request else []


def _render_deadline_escalation(object_id: int, payload: dict) -> list[EmailMessage]:
    request = IntakeRequest.objects.filter(pk=object_id).first()
    return deadline(request, "escalation") if request else []


def register() -> None:
    """Make the intake e-mails known to the outbox (IntakeConfig.ready)."""
    email_kind_register(CONFIRMATION, _render_confirmation)
    email_kind_register(STATUS_CHANGED, _render_status_changed)
    email_kind_register(MESSAGE_ADDED, _render_message_added)
    email_kind_register(ROUTED, _render_routed)
    email_kind_register(IN_QUEUE, _render_in_queue)
    email_kind_register(PROPOSAL_DECIDED, _render_proposal_decided)
    email_kind_register(DEADLINE_REMINDER, _render_deadline_reminder)
    email_kind_register(DEADLINE_ESCALATION, _render_deadline_escalation)
