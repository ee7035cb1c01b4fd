"""E-mails of the intake queue, each written in its recipient's language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.choices import InstitutionRoleKind
from catalogue.models import FacilityManager, InstitutionRole
from intake.choices import RequestStatus, RoutingStatus
from intake.models import IntakeRequest, RequestEvent, RequestMessage, Routing


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _send(recipients, language: str, subject_and_body) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, body = subject_and_body()
    send_mail(str(subject), str(body), settings.DEFAULT_FROM_EMAIL, recipients)


def _requester_link(request: IntakeRequest) -> str:
    """The requester's own page: the detail page for an account, the secret follow link otherwise."""
    if request.requester_id:
        return _link("intake:detail", request.pk)
    if request.confirmation_token and request.confirmed_at:
        return _link("intake:follow", request.confirmation_token)
    return ""


def _people_emails(users) -> list[str]:
    return [user.email for user in users if user.is_active]


def confirmation(request: IntakeRequest) -> None:
    def build():
        link = _link("intake:confirm", request.confirmation_token)
        return (
            _("Confirm your request to Labtorget"),
            _(
                "Hello %(name)s,\n\nwe received a request from %(company)s. Confirm your e-mail address by opening "
                "this link, and the request goes to the screeners:\n\n%(link)s\n\nIf you did not send it, ignore "
                "this e-mail."
            )
            % {"name": request.contact_name, "company": request.company_name, "link": link},
        )

    _send([request.email], request.language, build)


def status_changed(event: RequestEvent) -> None:
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

    _send([request.email], request.language, build)


def message_added(message: RequestMessage) -> None:
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

    _send([request.email], request.language, build)


def routed(routing: Routing) -> None:
    managers = [m.user for m in FacilityManager.objects.filter(facility=routing.facility).select_related("user")]
    for manager in managers:

        def build(routing=routing):
            return (
                _("A request was routed to %(facility)s") % {"facility": routing.facility},
                _("Request #%(id)s from %(company)s was routed to %(facility)s. Please answer it:\n\n%(link)s")
                % {
                    "id": routing.request_id,
                    "company": routing.request.company_name,
                    "facility": routing.facility,
                    "link": _link("intake:detail", routing.request_id),
                },
            )

        _send(_people_emails([manager]), manager.language, build)


def _responsible_people(request: IntakeRequest) -> list:
    if request.status == RequestStatus.ROUTED:
        facility_ids = request.routings.filter(status=RoutingStatus.PENDING).values("facility_id")
        return [m.user for m in FacilityManager.objects.filter(facility_id__in=facility_ids).select_related("user")]
    if request.institution_id is None:
        return list(get_user_model().objects.filter(is_staff=True, is_active=True))
    return [
        r.user
        for r in InstitutionRole.objects.filter(
            institution_id=request.institution_id, role=InstitutionRoleKind.SCREENER
        ).select_related("user")
    ]


def in_queue(request: IntakeRequest) -> None:
    """Tell the screeners (platform admins for the national queue) that a request waits for them."""
    for person in _responsible_people(request):

        def build():
            return (
                _("Request #%(id)s is in your screening queue") % {"id": request.pk},
                _("Request #%(id)s from %(company)s waits for screening:\n\n%(link)s")
                % {"id": request.pk, "company": request.company_name, "link": _link("intake:detail", request.pk)},
            )

        _send(_people_emails([person]), person.language, build)


def _escalation_people(request: IntakeRequest) -> list:
    if request.status == RequestStatus.ROUTED:
        institution_ids = request.routings.filter(status=RoutingStatus.PENDING).values("facility__institution_id")
    elif request.institution_id is not None:
        institution_ids = [request.institution_id]
    else:
        return list(get_user_model().objects.filter(is_staff=True, is_active=True))
    return [
        r.user
        for r in InstitutionRole.objects.filter(
            institution_id__in=institution_ids, role=InstitutionRoleKind.ADMIN
        ).select_related("user")
    ]


def deadline(request: IntakeRequest, kind: str) -> None:
    people = _responsible_people(request) if kind == "reminder" else _escalation_people(request)
    for person in people:

        def build():
            when = timezone.localtime(request.deadline_at).strftime("%d.%m.%Y %H:%M") if request.deadline_at else ""
            if kind == "reminder":
                return (
                    _("Reminder: request #%(id)s is due %(when)s") % {"id": request.pk, "when": when},
                    _("Request #%(id)s must be answered by %(when)s:\n\n%(link)s")
                    % {"id": request.pk, "when": when, "link": _link("intake:detail", request.pk)},
                )
            # Institution admins may not be allowed to read the request itself: no content, only the facts.
            return (
                _("Overdue: request #%(id)s was not answered in time") % {"id": request.pk},
                _(
                    "Request #%(id)s (status: %(status)s) passed its response deadline %(when)s. Please make sure "
                    "someone answers it."
                )
                % {"id": request.pk, "status": RequestStatus(request.status).label, "when": when},
            )

        _send(_people_emails([person]), person.language, build)
