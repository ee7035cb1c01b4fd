"""Portal pages of the intake queue: send a request, follow it, screen it, answer it.

Views parse the form, ask the policy, call one service and render. Requests the user may not see are 404.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Organisation
from accounts.policies import EmailUnverified, require_verified_email
from accounts.selectors import clusters_acted_for, member_companies_of, organisations_acted_for
from accounts.views import too_many_requests
from catalogue import selectors as catalogue_selectors
from catalogue.choices import PublicationStatus
from catalogue.models import Facility
from core.errors import DomainError
from intake import policies, selectors, services
from intake.choices import AuthorRole, RequestStatus, RoutingStatus
from intake.filtersets import IntakeRequestFilterSet
from intake.forms import (
    AcceptForm,
    AnswererForm,
    ApiKeyForm,
    AssignForm,
    ChecklistForm,
    CloseForm,
    DeclineForm,
    IntakeRequestForm,
    MessageForm,
    NoteForm,
    ReferForm,
    RouteForm,
    WebhookForm,
    WithdrawForm,
    quote_resource_choices,
)
from intake.models import ApiClient, IntakeRequest


def facility_request_panel(request, facility):
    """The "send a request" box on a facility's public page (core.navigation FACILITY_PAGE slot)."""
    if not getattr(facility, "is_published", False):
        return None
    return {"facility": facility, "request_url": reverse("intake:new") + f"?facility={facility.slug}"}


def dashboard_panel(request, obj):
    """Counts on "My Labtorget": own open requests, the screening queue, routings waiting for an answer."""
    counts = selectors.dashboard_counts(getattr(request, "user", None))
    if not counts or (not any(counts.values()) and "queue" not in counts):
        return None
    return {"counts": counts}


def _apply_error(form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    elif isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, str(error))
    else:
        form.add_error(None, error.messages)


class AnonymousRequestThrottle(SimpleRateThrottle):
    """Requests sent without an account: INTAKE_ANONYMOUS_RATE per client address (DRF's rate syntax), counted in
    Django's cache, so shared across processes when CACHE_URL is set."""

    scope = "intake_anonymous"

    def get_rate(self):
        return settings.INTAKE_ANONYMOUS_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def request_new(request):
    """The request form: from a facility page (facility pre-filled) or "I don't know where to go".

    A person with an account sends it as themselves once their e-mail address is verified; without an account
    the e-mail address is confirmed afterwards, and the number of requests per client address is limited."""
    user = request.user if request.user.is_authenticated else None
    initial = {}
    facility = None
    if slug := request.GET.get("facility"):
        facility = (
            Facility.objects.filter(slug=slug, status=PublicationStatus.PUBLISHED).select_related("institution").first()
        )
        if facility:
            initial.update(preferred_facility=facility, preferred_institution=facility.institution)
    if user:
        organisation = organisations_acted_for(user).first()
        initial.update(
            company_name=organisation.name if organisation else "",
            org_number=(organisation.org_number or "") if organisation else "",
            email=user.email,
            contact_name=user.get_full_name(),
            phone=user.phone,
        )
    member_companies = member_companies_of(clusters_acted_for(user).values("pk")) if user else None
    form = IntakeRequestForm(request.POST or None, initial=initial, member_companies=member_companies)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "language": (user.language if user else get_language() or "nb")[:2]}
        on_behalf_of = data.pop("on_behalf_of", None)
        throttle = AnonymousRequestThrottle()
        if user is None and not throttle.allow_request(request, None):
            return too_many_requests(request, retry_after=math.ceil(throttle.wait() or 1))
        try:
            if user is not None:
                require_verified_email(user)
            created = services.request_submit(data=data, user=user, on_behalf_of=on_behalf_of)
        except EmailUnverified as error:
            form.add_error(None, str(error))
        except (ValidationError, DomainError) as error:
            _apply_error(form, error)
        else:
            if user:
                messages.success(request, _("Your request is sent. We answer within five working days."))
                return redirect("intake:detail", pk=created.pk)
            return redirect("intake:sent")
    return render(request, "intake/new.html", {"form": form, "facility": facility})


def request_sent(request):
    return render(request, "intake/sent.html")


@never_cache  # pages reached by a secret link show a request: no cache keeps them
def request_confirm(request, token):
    """GET shows a button, POST confirms: link scanners in mail systems only GET, so they confirm nothing."""
    pending = IntakeRequest.objects.filter(confirmation_token=token).first() if token else None
    if pending is None:
        return render(request, "intake/confirmed.html", {"invalid": True}, status=404)
    if request.method == "POST":
        pending = services.request_confirm_email(token=token)
    return render(request, "intake/confirmed.html", {"intake_request": pending, "token": token})


def _linked_request(token) -> tuple[IntakeRequest, policies.RequestLink]:
    obj = IntakeRequest.objects.filter(confirmation_token=token).first() if token else None
    if obj is None or obj.confirmed_at is None:
        raise Http404
    return selectors.request_detail(obj.pk), policies.RequestLink(obj.pk)


@never_cache
def request_follow(request, token):
    """The page a requester without an account follows the request on, through the secret link we e-mailed."""
    obj, link = _linked_request(token)
    return render(request, "intake/detail.html", _detail_context(obj, link, follow_token=token))


@require_POST
def request_follow_action(request, token, action):
    obj, link = _linked_request(token)
    handlers = {"message": _action_message, "withdraw": _action_withdraw, "proposal": _action_proposal}
    if action not in handlers:
        raise Http404
    _run_action(request, handlers[action], obj, link)
    return redirect("intake:follow", token=token)


@login_required
def my_requests(request):
    rows = selectors.requests_of_requester(request.user)
    cluster_rows = selectors.requests_of_clusters(request.user)[:200]
    return render(request, "intake/mine.html", {"rows": rows, "cluster_rows": cluster_rows})


@login_required
def screening_queue(request):
    if not policies.can_see_screening_queue(request.user):
        raise PermissionDenied
    show_all = request.GET.get("all") == "1"
    filterset = IntakeRequestFilterSet(
        request.GET or None, queryset=selectors.screening_queue(request.user, include_closed=show_all)
    )
    rows = list(filterset.qs[:200])
    now = timezone.now()
    for row in rows:
        row.age_days = (now - row.created_at).days
        row.overdue = selectors.is_overdue(row, now=now)
    return render(request, "intake/queue.html", {"rows": rows, "show_all": show_all, "filter": filterset})


@login_required
def manager_inbox(request):
    if not policies.can_see_manager_inbox(request.user):
        raise PermissionDenied
    rows = list(selectors.manager_inbox(request.user)[:200])
    return render(request, "intake/inbox.html", {"rows": rows, "pending": RoutingStatus.PENDING})


def _visible_request(request, pk) -> IntakeRequest:
    try:
        obj = selectors.request_detail(pk)
    except IntakeRequest.DoesNotExist:
        raise Http404 from None
    if not policies.can_view_request(request.user, obj):
        raise Http404
    return obj


@login_required
def request_detail(request, pk):
    obj = _visible_request(request, pk)
    return render(request, "intake/detail.html", _detail_context(obj, request.user))


def _detail_context(obj: IntakeRequest, user, follow_token: str = "") -> dict:
    is_requester = policies.is_requester(user, obj)
    can_screen = policies.can_screen_request(user, obj)
    routings = policies.visible_routings(user, obj, selectors.request_routings(obj))
    my_routings = policies.answerable_routings(user, [r for r in routings if r.status == RoutingStatus.PENDING])
    resource_choices = quote_resource_choices({r.facility_id for r in my_routings})
    active = obj.status not in (RequestStatus.DECLINED, RequestStatus.WITHDRAWN, RequestStatus.CLOSED)
    in_screening = obj.status in (RequestStatus.IN_SCREENING, RequestStatus.NEEDS_INFO)
    return {
        "follow_token": follow_token,
        "intake_request": obj,
        "history": selectors.request_history(obj),
        "request_messages": policies.visible_messages(user, obj, selectors.request_messages(obj)),
        "referrals": selectors.request_referrals(obj),
        "note_form": NoteForm() if active and policies.can_see_internal_notes(user, obj) else None,
        "refer_form": ReferForm() if in_screening and policies.can_refer_request(user, obj) else None,
        "routings": routings,
        "is_requester": is_requester,
        "can_decide": is_requester and not any(r.requester_decision == "accepted" for r in routings),
        "can_screen": can_screen,
        "active": active,
        "overdue": selectors.is_overdue(obj),
        "message_form": MessageForm() if policies.can_message_request(user, obj) else None,
        "withdraw_form": WithdrawForm() if is_requester and active else None,
        "checklist_form": ChecklistForm(initial={f: getattr(obj, f) for f in IntakeRequest.CHECKLIST_FIELDS})
        if can_screen
        else None,
        "route_form": RouteForm(suggested=catalogue_selectors.facility_suggestions(obj.description))
        if can_screen and obj.status == RequestStatus.IN_SCREENING
        else None,
        "info_form": MessageForm() if can_screen and obj.status == RequestStatus.IN_SCREENING else None,
        "decline_form": DeclineForm()
        if can_screen and obj.status in (RequestStatus.IN_SCREENING, RequestStatus.NEEDS_INFO)
        else None,
        "close_form": CloseForm() if can_screen and active else None,
        "assign_form": AssignForm() if in_screening and policies.can_assign_request(user, obj) else None,
        "answer_forms": [
            (
                r,
                AcceptForm(initial={"routing": r.pk}, prefix=f"a{r.pk}", resources=resource_choices[r.facility_id]),
                DeclineForm(initial={"routing": r.pk}, prefix=f"d{r.pk}"),
            )
            for r in my_routings
        ],
    }


@login_required
@require_POST
def request_action(request, pk, action):
    obj = _visible_request(request, pk)
    user = request.user
    handlers = {
        "message": _action_message,
        "withdraw": _action_withdraw,
        "checklist": _action_checklist,
        "request-info": _action_request_info,
        "route": _action_route,
        "decline": _action_decline,
        "close": _action_close,
        "assign": _action_assign,
        "note": _action_note,
        "proposal": _action_proposal,
        "refer": _action_refer,
        "accept": _action_accept,
        "decline-routing": _action_decline_routing,
    }
    handler = handlers.get(action)
    if handler is None:
        raise Http404
    _run_action(request, handler, obj, user)
    if not policies.can_view_request(user, selectors.request_detail(obj.pk)):
        return redirect("intake:queue")  # e.g. assigned from the national queue to an institution
    return redirect("intake:detail", pk=obj.pk)


def _run_action(request, handler, obj, actor) -> None:
    try:
        done = handler(request, obj, actor)
    except (ValidationError, DomainError) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        if done:
            messages.success(request, done)


def _form_or_error(form):
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ")
            for f, e in form.errors.items()
        )
        raise DomainError(errors)
    return form.cleaned_data


def _action_message(request, obj, user):
    if not policies.can_message_request(user, obj):
        raise PermissionDenied
    data = _form_or_error(MessageForm(request.POST))
    if policies.is_requester(user, obj):
        role = AuthorRole.REQUESTER
    elif policies.can_screen_request(user, obj):
        role = AuthorRole.SCREENER
    else:
        role = AuthorRole.MANAGER
    services.request_add_message(request=obj, actor=user, body=data["message"], role=role)
    return _("Your message is sent.")


def _action_proposal(request, obj, user):
    """The requester accepts or declines one facility's proposal (and the agreement that comes with it)."""
    routing = obj.routings.filter(pk=request.POST.get("routing") or 0).first()
    if routing is None or not policies.can_decide_proposal(user, routing):
        raise PermissionDenied
    decision = request.POST.get("decision", "")
    services.proposal_decide(routing=routing, actor=user, decision=decision)
    if decision == "declined":
        return _("You declined the proposal. The facility is told.")
    return _("You accepted the proposal. The agreement is kept with the request.")


@never_cache
def agreement_pdf_by_link(request, token, routing_id):
    """The accepted agreement's PDF for a requester without an account, through the secret follow link."""
    obj, link = _linked_request(token)
    routing = obj.routings.select_related("agreement").filter(pk=routing_id, agreement__isnull=False).first()
    if routing is None or not policies.is_requester(link, obj):
        raise Http404
    response = HttpResponse(bytes(routing.agreement.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{routing.agreement_id}.pdf"'
    return response


def _action_note(request, obj, user):
    if not policies.can_see_internal_notes(user, obj):
        raise PermissionDenied
    data = _form_or_error(NoteForm(request.POST))
    role = AuthorRole.SCREENER if policies.can_screen_request(user, obj) else AuthorRole.MANAGER
    services.request_add_message(request=obj, actor=user, body=data["message"], role=role, internal=True)
    return _("Your note is saved. The requester does not see it.")


def _action_refer(request, obj, user):
    if not policies.can_refer_request(user, obj):
        raise PermissionDenied
    services.request_refer(request=obj, user=user, **_form_or_error(ReferForm(request.POST)))
    return _("The request is referred and closed; the requester is told where to go.")


def _action_withdraw(request, obj, user):
    if not policies.can_withdraw_request(user, obj):
        raise PermissionDenied
    data = _form_or_error(WithdrawForm(request.POST))
    services.request_withdraw(request=obj, actor=user, reason=data["reason"])
    return _("The request is withdrawn.")


def _require_screener(user, obj):
    if not policies.can_screen_request(user, obj):
        raise PermissionDenied


def _action_checklist(request, obj, user):
    _require_screener(user, obj)
    services.request_update_checklist(request=obj, user=user, checks=_form_or_error(ChecklistForm(request.POST)))
    return _("The checklist is saved.")


def _action_request_info(request, obj, user):
    _require_screener(user, obj)
    services.request_ask_for_info(request=obj, user=user, message=_form_or_error(MessageForm(request.POST))["message"])
    return _("The requester has been asked for more information.")


def _action_route(request, obj, user):
    _require_screener(user, obj)
    data = _form_or_error(RouteForm(request.POST))
    services.request_route(request=obj, user=user, facilities=list(data["facilities"]), note=data["note"])
    return _("The request is routed.")


def _action_decline(request, obj, user):
    _require_screener(user, obj)
    data = _form_or_error(DeclineForm(request.POST))
    services.request_decline(request=obj, user=user, reason=data["reason"], comment=data["comment"])
    return _("The request is declined.")


def _action_assign(request, obj, user):
    if not policies.can_assign_request(user, obj):
        raise PermissionDenied
    data = _form_or_error(AssignForm(request.POST))
    services.request_assign_institution(request=obj, user=user, institution=data["institution"], note=data["note"])
    return _("The request is now in the institution's screening queue.")


def _action_close(request, obj, user):
    _require_screener(user, obj)
    data = _form_or_error(CloseForm(request.POST))
    duplicate_of = None
    if data.get("duplicate_of"):
        duplicate_of = IntakeRequest.objects.filter(pk=data["duplicate_of"]).first()
        if duplicate_of is None:
            raise DomainError(_("No request with this number."), field="duplicate_of")
    services.request_close(
        request=obj, user=user, reason=data["reason"], duplicate_of=duplicate_of, comment=data["comment"]
    )
    return _("The request is closed.")


def _my_routing(obj, user, routing_id):
    routing = obj.routings.filter(pk=routing_id).select_related("facility").first()
    if routing is None or not policies.can_answer_routing(user, routing):
        raise PermissionDenied
    return routing


def _answer_prefix(post) -> str | None:
    """The detail page has one answer form per routing, prefixed "a<id>"/"d<id>"; find which one was sent."""
    return next((key.split("-")[0] for key in post if key.endswith("-routing")), None)


def _action_accept(request, obj, user):
    data = _form_or_error(AcceptForm(request.POST, prefix=_answer_prefix(request.POST)))
    routing = _my_routing(obj, user, data.pop("routing"))
    services.routing_accept(routing=routing, user=user, **data)
    return _("You accepted the request. The requester sees your proposal.")


def _action_decline_routing(request, obj, user):
    data = _form_or_error(DeclineForm(request.POST, prefix=_answer_prefix(request.POST)))
    routing = _my_routing(obj, user, data.get("routing"))
    services.routing_decline(routing=routing, user=user, reason=data["reason"], comment=data["comment"])
    return _("You declined. The request goes back to the screener.")


# --- A facility's contact person answers by the signed link (no account) ---------------------------------------


@never_cache
def routing_answer(request, token):
    """GET shows the request and two forms; POST accepts with a proposal or declines with a reason. An expired,
    used or tampered link shows a clear page and changes nothing."""
    try:
        routing = selectors.routing_for_answer_token(token)
    except DomainError as error:
        return render(request, "intake/answer.html", {"invalid": str(error)}, status=410 if error.code else 400)
    accept_form = AcceptForm(
        initial={"routing": routing.pk},
        prefix="a",
        resources=quote_resource_choices({routing.facility_id})[routing.facility_id],
    )
    decline_form = DeclineForm(initial={"routing": routing.pk}, prefix="d")
    answerer_form = AnswererForm(initial={"answered_by": routing.contact_name})
    if request.method == "POST":
        answerer_form = AnswererForm(request.POST)
        try:
            name = _form_or_error(answerer_form)["answered_by"]
            if request.POST.get("answer") == "accept":
                data = _form_or_error(AcceptForm(request.POST, prefix="a"))
                data.pop("routing", None)
                services.routing_accept_by_link(token=token, answered_by=name, **data)
                done = _("Thank you. The requester sees your proposal.")
            else:
                data = _form_or_error(DeclineForm(request.POST, prefix="d"))
                services.routing_decline_by_link(
                    token=token, answered_by=name, reason=data["reason"], comment=data["comment"]
                )
                done = _("Thank you. The request goes back to the screener.")
        except DomainError as error:
            if error.field == "token":  # used meanwhile (another click, another tab): the same clear page
                return render(request, "intake/answer.html", {"invalid": str(error)}, status=410)
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(request, "intake/answer.html", {"done": done})
    return render(
        request,
        "intake/answer.html",
        {
            "routing": routing,
            "intake_request": routing.request,
            "accept_form": accept_form,
            "decline_form": decline_form,
            "answerer_form": answerer_form,
        },
    )


# --- A cluster's or TTO's API keys and webhooks, on the organisation's page -----------------------------------


def organisation_keys_panel(request, organisation):
    """The API keys and webhooks of a cluster or TTO, on its page (core.navigation ORGANISATION_PAGE), for those
    who manage them (intake.policies.can_manage_api_keys)."""
    if not policies.can_manage_api_keys(getattr(request, "user", None), organisation):
        return None
    clients = list(selectors.api_clients_of(organisation))
    return {
        "organisation": organisation,
        "clients": [
            (client, WebhookForm(initial={"url": client.webhook_url}, prefix=f"w{client.pk}")) for client in clients
        ],
        "key_form": ApiKeyForm(),
    }


def _managed_client(request, client_id) -> ApiClient:
    client = ApiClient.objects.select_related("organisation").filter(pk=client_id).first()
    if client is None or not policies.can_manage_api_client(request.user, client):
        raise Http404
    return client


def _back_to(organisation_id):
    return redirect("accounts:organisation", pk=organisation_id)


@never_cache
@login_required
@require_POST
def api_key_create(request, pk):
    """Make a key: shown once, on the page this POST answers with (never stored, never e-mailed)."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not policies.can_manage_api_keys(request.user, organisation):
        raise Http404
    form = ApiKeyForm(request.POST)
    try:
        data = _form_or_error(form)
        client, key = services.api_client_create(
            name=data["name"], kind=organisation.kind, scopes=data["scopes"], organisation=organisation,
            created_by=request.user,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error))
        return _back_to(organisation.pk)
    return render(request, "intake/key_shown.html", {"client": client, "key": key, "organisation": organisation})


@never_cache
@login_required
@require_POST
def api_key_rotate(request, client_id):
    client = _managed_client(request, client_id)
    try:
        client, key = services.api_client_rotate(client=client)
    except DomainError as error:
        messages.error(request, str(error))
        return _back_to(client.organisation_id)
    context = {"client": client, "key": key, "organisation": client.organisation, "rotated": True}
    return render(request, "intake/key_shown.html", context)


@login_required
@require_POST
def api_key_revoke(request, client_id):
    client = _managed_client(request, client_id)
    services.api_client_revoke(client=client)
    messages.success(request, _("The key “%(name)s” is revoked and no longer works.") % {"name": client.name})
    return _back_to(client.organisation_id)


@never_cache
@login_required
@require_POST
def api_key_webhook(request, client_id):
    """Set the key's webhook address (a new signing secret, shown once) or switch it off."""
    client = _managed_client(request, client_id)
    try:
        url = _form_or_error(WebhookForm(request.POST, prefix=f"w{client.pk}"))["url"]
        client = services.webhook_register(client=client, url=url)
    except DomainError as error:
        messages.error(request, str(error))
        return _back_to(client.organisation_id)
    if not url:
        messages.success(request, _("The webhook is switched off."))
        return _back_to(client.organisation_id)
    return render(
        request,
        "intake/key_shown.html",
        {"client": client, "secret": client.webhook_secret, "organisation": client.organisation},
    )
