"""Portal pages for booking: parse input, call one service or selector, render."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as accounts_selectors
from booking import ics, policies, selectors, services
from booking.forms import (
    BookingForm,
    BookingPolicyForm,
    CancelBookingForm,
    ClosureForm,
    DecisionForm,
    FacilityBookingsFilterForm,
    FreeCapacityForm,
    MoveBookingForm,
    OpeningHoursFormSet,
    QualificationForm,
    ServiceOrderCloseForm,
    UseForm,
)
from booking.grid import parse_choice, week_grid
from booking.models import Booking, BookingPolicy, Closure, Qualification, ServiceOrder
from calendars import selectors as calendar_selectors
from catalogue import policies as catalogue_policies
from catalogue import roles
from catalogue.choices import PublicationStatus
from catalogue.models import Facility, Resource
from core.errors import ConflictError, DomainError
from core.formatting import money_text, number_text
from core.policies import require, require_visible
from pricing import selectors as pricing_selectors
from pricing.choices import PriceUnit


def week_calendar(resource: Resource, user, week_start: datetime.date) -> list[dict]:
    """Seven days of free and busy intervals in local time, for the week panel and the book page."""
    return week_calendars([resource], user, week_start)[resource.pk]


def week_calendars(
    resources: list[Resource], user, week_start: datetime.date, *, sources_for=frozenset()
) -> dict[int, list[dict]]:
    """week_calendar for several resources, by resource id, with the same number of queries for any number of
    them (prefetch `booking_policy__opening_hours`).

    For the resources in `sources_for` (those the viewer manages) each day also lists the busy time of their
    external calendars with the feed's name; others see that time only as unavailable.
    """
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(week_start, datetime.time(), tzinfo=zone)
    end = start + datetime.timedelta(days=7)
    availabilities = selectors.availability_of(resources, start=start, end=end, user=user)
    sourced = calendar_selectors.external_busy_with_sources(list(sources_for), start, end) if sources_for else {}
    today = timezone.localdate()
    calendars = {}
    for resource in resources:
        availability = availabilities[resource.pk]
        # Free time before the minimum notice (the past included) cannot be booked, so it is not offered.
        policy = getattr(resource, "booking_policy", None)
        earliest = selectors.earliest_bookable(policy) if policy else timezone.now()
        local = policy is not None and policy.booked_in_local_system
        free = [(max(s, earliest), e) for s, e in availability["free"] if e > earliest]
        days = []
        for offset in range(7):
            day = week_start + datetime.timedelta(days=offset)
            day_start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
            day_end = day_start + datetime.timedelta(days=1)
            intervals = [
                {
                    "start": s.astimezone(zone),
                    "end": e.astimezone(zone),
                    "free": kind == "free",
                    "local_url": selectors.local_booking_link(policy, s, e) if kind == "free" and local else "",
                }
                for kind, found in (("free", free), ("busy", availability["busy"]))
                for s, e in found
                if s < day_end and e > day_start
            ]
            external = [
                {"start": busy.start.astimezone(zone), "end": busy.end.astimezone(zone), "source": busy.source}
                for busy in sourced.get(resource.pk, ())
                if busy.start < day_end and busy.end > day_start
            ]
            days.append(
                {
                    "date": day,
                    "past": day < today,
                    "intervals": sorted(intervals, key=lambda i: i["start"]),
                    "external": external,
                }
            )
        calendars[resource.pk] = days
    return calendars


def find_capacity(request):
    """Find free capacity across all institutions: a window of the wanted length, earliest first."""
    form = FreeCapacityForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        start, end, duration = form.period()
        results = selectors.free_capacity_windows(
            start=start,
            end=end,
            duration=duration,
            category=form.cleaned_data.get("category"),
            institution=form.cleaned_data.get("institution"),
            user=request.user,
            limit=100,
        )
    return render(request, "booking/find_capacity.html", {"form": form, "results": results})


# What a one-click alternative keeps of the refused request (a series is not offered alternatives one by one).
ALTERNATIVE_KEEPS = ("access_model", "collaboration_agreement", "organisation", "purpose")


def book(request, pk):
    """Pick a slot in the week calendar and book it.

    The calendar and the form are offered only where the booking service would take the booking (the same rule,
    `services.bookability_refusal`); otherwise the page says why.
    """
    resource = get_object_or_404(
        Resource.objects.select_related("facility__institution", "booking_policy"),
        pk=pk, is_active=True, facility__status=PublicationStatus.PUBLISHED,
    )  # fmt: skip
    refusal = services.bookability_refusal(resource, request.user)
    policy = None if refusal else resource.booking_policy
    # Booked in the facility's local system: the free time is shown, with links there, and no form.
    local_policy = (
        resource.booking_policy if refusal and services.offer_refusal(resource, request.user) is None else None
    )
    if refusal and getattr(resource, "booking_policy", None) is not None:
        messages.warning(request, refusal)  # without a booking policy the page itself says to contact the facility
    initial = {}
    for name in ("start", "end"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:16]
    agreements = pricing_selectors.agreements_in_force(user=request.user, facility_id=resource.facility_id)
    organisations = list(accounts_selectors.organisations_acted_for(request.user))
    form = BookingForm(request.POST or None, initial=initial, agreements=agreements, organisations=organisations)
    alternatives = []
    conflict = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "resource": resource, "user": request.user, "start": data["start"], "end": data["end"],
                "access_model": data["access_model"], "purpose": data["purpose"],
                "collaboration_agreement": data.get("collaboration_agreement"),
                "organisation": data.get("organisation"),
            }  # fmt: skip
            try:
                if data.get("repeat"):
                    result = services.booking_series_create(
                        **fields, frequency=data["repeat"], count=data.get("count"), until=data.get("until"),
                        mode=data.get("mode") or "all_or_nothing",
                    )  # fmt: skip
                    messages.success(
                        request,
                        _("%(created)d bookings stored, %(skipped)d dates skipped.")
                        % {"created": len(result.created), "skipped": len(result.skipped)},
                    )
                else:
                    booking = services.booking_create(**fields)
                    if booking.status == "pending":
                        messages.success(
                            request, _("Your request is stored and holds the slot until a manager answers.")
                        )
                    else:
                        messages.success(request, _("Your booking is confirmed."))
                return redirect("booking:my_bookings")
            except ConflictError as error:
                status = 409
                conflict = error.message
                alternatives = error.extra.get("alternatives", [])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
    choice = parse_choice(request.GET.get("start"), request.GET.get("end"))
    if request.method == "POST" and form.is_valid():
        # A time just taken by someone else shows as booked, not as this person's choice.
        choice = None if conflict else (form.cleaned_data["start"], form.cleaned_data["end"])
    if request.GET.get("week") or not choice:
        week_start = selectors.week_start(request.GET.get("week"))
    else:
        week_start = selectors.week_start(timezone.localdate(choice[0]).isoformat())
    grid = week_grid(resource=resource, policy=policy, user=request.user, week_start=week_start, choice=choice) \
        if policy else None  # fmt: skip
    week = (
        week_calendars(
            [resource],
            request.user,
            week_start,
            sources_for={resource.pk} if policies.can_manage_calendar(request.user, resource) else frozenset(),
        )[resource.pk]
        if policy or local_policy
        else []
    )
    context = {
        "grid": grid,
        "summary": booking_summary(resource=resource, policy=policy, user=request.user, choice=choice, form=form)
        if grid and grid.choice_valid
        else None,
        "week_start": week_start,
        "choice_query": urlencode({"start": request.GET["start"][:16], "end": request.GET["end"][:16]})
        if choice and request.GET.get("start") and request.GET.get("end")
        else "",
        "resource": resource,
        "policy": policy,
        "form": form,
        "conflict": conflict,
        "alternatives": [
            {
                "start": datetime.datetime.fromisoformat(a["start"]).astimezone(timezone.get_default_timezone()),
                "end": datetime.datetime.fromisoformat(a["end"]).astimezone(timezone.get_default_timezone()),
            }
            for a in alternatives
        ],  # fmt: skip
        # Each alternative is a form that books it in one click with what the person asked for besides the time.
        "alternative_fields": [
            (name, form.data[name]) for name in ALTERNATIVE_KEEPS if alternatives and form.data.get(name)
        ],
        "your_prices": pricing_selectors.prices_for_user(user=request.user, resource=resource)
        if request.user.is_authenticated and policy
        else [],
        "local_policy": local_policy,
        "local_link": selectors.local_booking_link(local_policy) if local_policy else "",
        "week": week,
        # Managers see which external calendar holds each busy time (the grid shows it only as booked).
        "external_busy": [{"day": day["date"], **busy} for day in week for busy in day.get("external", ())],
        "previous_week": week_start - datetime.timedelta(days=7),
        "next_week": week_start + datetime.timedelta(days=7),
    }
    return render(request, "booking/book.html", context, status=status)


def booking_summary(*, resource, policy, user, choice, form) -> dict:
    """What the chosen time costs this person and whether it is confirmed at once (the page's summary box)."""
    start, end = choice
    summary = {"start": start, "end": end, "needs_approval": policy.requires_approval, "quote": None, "error": ""}
    if not user.is_authenticated:
        return summary
    # The access model asked for (rental unless the form says otherwise); pricing decides tier, activity and VAT.
    access_model = form.data.get("access_model") if form.is_bound else None
    if access_model not in dict(form.fields["access_model"].choices):
        access_model = form.fields["access_model"].initial
    try:
        quote = pricing_selectors.booking_quote(
            resource=resource, user=user, access_model=access_model, start=start, end=end
        )
    except DomainError as error:
        summary["error"] = error.message
        quote = None
    if quote is not None:
        summary["quote"] = quote
        summary["unit_label"] = PriceUnit(quote.unit).label if quote.unit in PriceUnit.values else quote.unit
        summary["vat_percent"] = number_text(quote.vat_rate * 100)
    summary["activity"] = quote.activity if quote is not None else ""
    summary["reason"] = quote.reason_label if quote is not None else ""
    return summary


def _login_url():
    from django.conf import settings
    from django.urls import reverse

    return reverse(settings.LOGIN_URL)


def request_training(request, pk):
    """How to get the training a resource requires: the facility's contact people."""
    resource = get_object_or_404(Resource.objects.select_related("facility"), pk=pk)
    contacts = list(resource.facility.contacts.all())
    return render(request, "booking/request_training.html", {"resource": resource, "contacts": contacts})


@login_required
def my_bookings(request):
    now = timezone.now()
    bookings = list(selectors.bookings_for_user(request.user)[:200])
    for booking in bookings:
        booking.late_cancellation_charged = selectors.cancellation_is_charged(booking, now=now)
    orders = list(selectors.service_orders_for_user(request.user)[:200])
    return render(request, "booking/my_bookings.html", {"bookings": bookings, "orders": orders, "now": now})


@login_required
def cancel(request, pk):
    """GET: the confirmation step, stating whether cancelling is free or what it costs; POST: cancel."""
    booking = get_object_or_404(Booking.objects.select_related("resource__facility"), pk=pk)
    require_visible(policies.can_view_booking, request.user, booking)  # someone else's booking: 404, as a missing one
    if request.method != "POST":
        if not policies.can_cancel_booking(request.user, booking):
            raise PermissionDenied
        context = {
            "booking": booking,
            "charged": selectors.cancellation_is_charged(booking),
            "is_manager": policies.can_decide_booking(request.user, booking),
        }
        return render(request, "booking/cancel_confirm.html", context)
    try:  # the service refuses who may not cancel (PermissionDenied, a 403)
        booking = services.booking_cancel(
            booking=booking, actor=request.user, reason=request.POST.get("reason", ""),
            charge_late=request.POST.get("charge") == "on",
        )  # fmt: skip
        if booking.charged_total_amount:
            messages.warning(
                request,
                _("The booking is cancelled. It was cancelled after the deadline, so %(amount)s is charged.")
                % {"amount": money_text(booking.charged_total_amount)},
            )
        else:
            messages.success(request, _("The booking is cancelled."))
    except DomainError as error:
        messages.error(request, error.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "booking:my_bookings"  # only back to a page of this site
    return redirect(target)


@login_required
def queue(request):
    """Pending requests for the facilities the user manages, oldest first, with bulk approve/reject."""
    if not policies.can_see_queue(request.user):
        raise PermissionDenied
    pending = list(selectors.pending_queue(request.user)[:500])
    form = DecisionForm(request.POST or None, choices=[(b.pk, b.pk) for b in pending])
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.bookings_decide(
                booking_ids=form.cleaned_data["ids"],
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                ngettext("%(count)d request answered.", "%(count)d requests answered.", len(decided))
                % {"count": len(decided)},
            )
            return redirect("booking:queue")
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
    now = timezone.now()
    rows = [{"booking": b, "age": now - b.created_at} for b in pending]
    return render(request, "booking/queue.html", {"rows": rows, "form": form})


FACILITY_BOOKINGS_PAGE_SIZE = 50


@login_required
def facility_bookings(request):
    """Upcoming pending and confirmed bookings at the facilities the user manages, with who booked them."""
    if not policies.can_see_queue(request.user):
        raise PermissionDenied
    facility_ids = roles.managed_facility_ids(request.user)
    form = FacilityBookingsFilterForm(request.GET or None, facility_ids=facility_ids)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        starts_from, starts_before = form.period()
        filters = {
            "facility_id": data["facility"].pk if data.get("facility") else None,
            "starts_from": starts_from,
            "starts_before": starts_before,
        }
        if data.get("status"):
            filters["statuses"] = (data["status"],)
    bookings = selectors.facility_bookings(request.user, **filters) if not form.errors else Booking.objects.none()
    page = Paginator(bookings, FACILITY_BOOKINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "booking/facility_bookings.html",
        {"form": form, "page": page, "paging_query": query.urlencode(), "now": timezone.now()},
    )


@login_required
def facility_use(request, pk):
    """One facility's bookings ended within the correction window: the manager marks them completed or no-show,
    or records the time actually used with a reason, several at once. Completed is what happens on its own."""
    facility = get_object_or_404(Facility, pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, facility)  # a draft: 404 to others
    require(policies.can_see_facility_bookings, request.user, facility)
    now = timezone.now()
    bookings = selectors.bookings_in_use_window(facility=facility, now=now)
    form = UseForm(request.POST or None, bookings=bookings)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = services.bookings_use_record(
                    actor=request.user, decisions=form.decisions(), reason=form.cleaned_data["reason"], now=now
                )
            except DomainError as error:
                status = 409 if isinstance(error, ConflictError) else 400
                field = {"used_minutes": None, "ids": "ids"}.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    ngettext("The use of %(count)d booking is recorded.", "The use of %(count)d bookings is recorded.",
                             len(done)) % {"count": len(done)},
                )  # fmt: skip
                return redirect("booking:facility_use", pk=facility.pk)
    rows = [
        {"booking": booking, "used": form.used_field(booking), "closes": selectors.use_window_closes(booking)}
        for booking in bookings
    ]
    context = {
        "facility": facility,
        "form": form,
        "rows": rows,
        "window_days": settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS,
    }
    return render(request, "booking/facility_use.html", context, status=status)


def _local_alternatives(alternatives) -> list[dict]:
    zone = timezone.get_default_timezone()
    return [
        {
            "start": datetime.datetime.fromisoformat(a["start"].replace("Z", "+00:00")).astimezone(zone),
            "end": datetime.datetime.fromisoformat(a["end"].replace("Z", "+00:00")).astimezone(zone),
        }
        for a in alternatives
    ]


def _add_domain_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def booking_detail(request, pk):
    """One booking: its times, price and charges, its history, and what the viewer may do with it.

    The customer may cancel (warned when it will be charged); the facility's managers may also move it and
    cancel with or without the late-cancellation fee.
    """
    try:
        booking = selectors.booking_for_page(pk)
    except Booking.DoesNotExist as missing:
        raise Http404 from missing
    is_manager = policies.can_move_booking(request.user, booking)
    if not is_manager:  # a manager of the facility may see it; anyone else only if they booked it (else 404)
        require_visible(policies.can_view_booking, request.user, booking)
    cancel_form = CancelBookingForm(prefix="cancel")
    initial_move = {}
    for name in ("start", "end"):
        if request.GET.get(name):
            initial_move[name] = request.GET[name][:16]
    move_form = MoveBookingForm(prefix="move", initial=initial_move or {"start": booking.start, "end": booking.end})
    alternatives = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        status = 400
        if action == "cancel":
            cancel_form = CancelBookingForm(request.POST, prefix="cancel")
            if cancel_form.is_valid():
                try:
                    booking = services.booking_cancel(
                        booking=booking, actor=request.user, reason=cancel_form.cleaned_data["reason"].strip(),
                        charge_late=is_manager and cancel_form.cleaned_data["charge_late"],
                    )  # fmt: skip
                    if booking.charged_total_amount:
                        messages.warning(
                            request,
                            _("The booking is cancelled; %(amount)s is charged for the late cancellation.")
                            % {"amount": money_text(booking.charged_total_amount)},
                        )
                    else:
                        messages.success(request, _("The booking is cancelled."))
                    return redirect("booking:detail", pk=booking.pk)
                except ConflictError as error:
                    status = 409
                    _add_domain_error(cancel_form, error)
                except DomainError as error:
                    _add_domain_error(cancel_form, error)
        elif action == "move":
            move_form = MoveBookingForm(request.POST, prefix="move")
            if move_form.is_valid():
                data = move_form.cleaned_data
                try:
                    services.booking_move(
                        booking=booking, actor=request.user, start=data["start"], end=data["end"],
                        reason=data["reason"].strip(),
                    )  # fmt: skip
                    messages.success(request, _("The booking is moved."))
                    return redirect("booking:detail", pk=booking.pk)
                except ConflictError as error:
                    status = 409
                    _add_domain_error(move_form, error)
                    alternatives = _local_alternatives(error.extra.get("alternatives", []))
                except DomainError as error:
                    _add_domain_error(move_form, error)
        else:
            messages.error(request, _("Unknown action."))
        booking = selectors.booking_for_page(pk)  # show the booking as stored, not as the failed attempt left it
    now = timezone.now()
    context = {
        "booking": booking,
        "history": selectors.booking_history(booking, request.user),
        "price_labels": selectors.price_labels(booking),
        "is_manager": is_manager,
        "is_owner": booking.user_id == request.user.pk,
        "can_act": booking.is_active and (is_manager or booking.start > now),
        "cancel_form": cancel_form,
        "move_form": move_form,
        "action_forms": (cancel_form, move_form),
        "alternatives": alternatives,
        "cancellation_charged": selectors.cancellation_is_charged(booking, now=now),
    }
    return render(request, "booking/booking_detail.html", context, status=status)


@login_required
def manage_calendar(request, pk):
    """A manager's page for a resource's booking policy, opening hours, closures and qualifications."""
    resource = get_object_or_404(Resource.objects.select_related("facility"), pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, resource.facility)
    require(policies.can_manage_calendar, request.user, resource)
    policy = BookingPolicy.objects.filter(resource=resource).first() or BookingPolicy(resource=resource)
    policy_form = BookingPolicyForm(instance=policy, prefix="policy")
    hours_formset = OpeningHoursFormSet(instance=policy, prefix="hours")
    closure_form = ClosureForm(prefix="closure")
    qualification_form = QualificationForm(prefix="qualification")
    section = request.POST.get("section")
    if request.method == "POST":
        try:
            if section == "policy":
                policy_form = BookingPolicyForm(request.POST, instance=policy, prefix="policy")
                hours_formset = OpeningHoursFormSet(request.POST, instance=policy, prefix="hours")
                if policy_form.is_valid() and hours_formset.is_valid():
                    opening_hours = [
                        (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
                        for form in hours_formset.forms
                        if form.cleaned_data and not form.cleaned_data.get("DELETE")
                    ]
                    services.booking_policy_save(
                        policy=policy_form.save(commit=False), opening_hours=opening_hours, actor=request.user
                    )
                    messages.success(request, _("The booking policy is saved."))
                    return redirect("booking:manage_calendar", pk=resource.pk)
            elif section == "closure":
                closure_form = ClosureForm(request.POST, prefix="closure")
                if closure_form.is_valid():
                    try:
                        services.closure_create(resource=resource, actor=request.user, **closure_form.cleaned_data)
                    except DomainError as error:  # shown at the field it names
                        _add_domain_error(closure_form, error)
                    else:
                        messages.success(request, _("The closure is saved."))
                        return redirect("booking:manage_calendar", pk=resource.pk)
            elif section == "public_holidays":
                added = services.public_holiday_closures_create(resource=resource, actor=request.user)
                messages.success(
                    request,
                    ngettext("%(count)d public holiday closed.", "%(count)d public holidays closed.", len(added))
                    % {"count": len(added)}
                    if added
                    else _("Every public holiday of the next twelve months is already closed."),
                )
                return redirect("booking:manage_calendar", pk=resource.pk)
            elif section == "delete_closure":
                closure = get_object_or_404(Closure, resource=resource, pk=request.POST.get("closure"))
                services.closure_delete(closure=closure, actor=request.user)
                return redirect("booking:manage_calendar", pk=resource.pk)
            elif section == "qualification":
                qualification_form = QualificationForm(request.POST, prefix="qualification")
                if qualification_form.is_valid():
                    services.qualification_grant(
                        user=qualification_form.cleaned_data["user"],
                        resource=resource,
                        actor=request.user,
                        expires_on=qualification_form.cleaned_data.get("expires_on"),
                    )
                    messages.success(request, _("The qualification is granted."))
                    return redirect("booking:manage_calendar", pk=resource.pk)
            elif section == "revoke":
                qualification = get_object_or_404(
                    Qualification, resource=resource, pk=request.POST.get("qualification")
                )
                services.qualification_revoke(qualification=qualification, actor=request.user)
                return redirect("booking:manage_calendar", pk=resource.pk)
        except DomainError as error:
            messages.error(request, error.message)
    context = {
        "resource": resource,
        "policy_form": policy_form,
        "hours_formset": hours_formset,
        "closure_form": closure_form,
        "qualification_form": qualification_form,
        "closures": Closure.objects.filter(resource=resource, end__gte=timezone.now()),
        "qualifications": Qualification.objects.filter(resource=resource).select_related("user"),
    }
    return render(request, "booking/manage_calendar.html", context)


@login_required
def feeds_page(request):
    """Addresses of the user's private calendar feeds, with a button to renew a secret."""
    facilities = Facility.objects.filter(pk__in=roles.managed_facility_ids(request.user)).order_by("name")
    if request.method == "POST":
        facility = None
        if request.POST.get("facility"):
            facility = get_object_or_404(Facility, pk=request.POST["facility"])  # the service checks who may
        services.feed_token_renew(user=request.user, facility=facility)
        messages.success(request, _("A new address is made; the old one no longer works."))
        return redirect("booking:feeds")
    personal = services.feed_token_get(user=request.user)
    facilities = list(facilities)
    tokens = services.facility_feed_tokens_get(user=request.user, facilities=facilities)
    facility_tokens = [(facility, tokens[facility.pk]) for facility in facilities]
    return render(request, "booking/feeds.html", {"personal": personal, "facility_tokens": facility_tokens})


@login_required
def booking_calendar_file(request, pk):
    """The booking as an .ics file for the person's own calendar ("Add to calendar"); the times are the
    booking's, in UTC, so every calendar program shows them in its own zone."""
    booking = get_object_or_404(Booking.objects.select_related("resource__facility", "user"), pk=pk)
    require_visible(policies.can_view_booking, request.user, booking)
    response = HttpResponse(ics.booking_attachment(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="labtorget-booking-{booking.pk}.ics"'
    return response


@login_required
def facility_orders(request, pk):
    """One facility's service orders (staff-run work at an agreed price): those still to deliver, then the
    delivered ones. Marking one delivered makes it chargeable at its price; cancelling it means it is never charged."""
    facility = get_object_or_404(Facility, pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, facility)  # a draft: 404 to others
    require(policies.can_see_facility_bookings, request.user, facility)
    form = ServiceOrderCloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            order = get_object_or_404(
                ServiceOrder.objects.select_related("resource__facility"),
                pk=form.cleaned_data["order"], resource__facility=facility,
            )  # fmt: skip
            act = (
                services.service_order_deliver
                if form.cleaned_data["action"] == "deliver"
                else services.service_order_cancel
            )
            try:
                act(order=order, actor=request.user, note=form.cleaned_data["note"])
            except DomainError as error:
                status = 409 if isinstance(error, ConflictError) else 400
                form.add_error(None, error.message)
            else:
                if form.cleaned_data["action"] == "deliver":
                    messages.success(request, _("The order is delivered and goes to the invoice basis."))
                else:
                    messages.success(request, _("The order is cancelled; it will not be charged."))
                return redirect("booking:facility_orders", pk=facility.pk)
    context = {"facility": facility, "form": form, "orders": list(selectors.facility_service_orders(facility))}
    return render(request, "booking/facility_orders.html", context, status=status)
