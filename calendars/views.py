"""Portal pages for external calendars: parse input, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendars import demo, policies, selectors, services
from calendars.forms import ExternalCalendarForm
from catalogue import policies as catalogue_policies
from catalogue.models import Resource
from core.errors import DomainError
from core.policies import require, require_visible


def _resource(request, pk) -> Resource:
    """The resource, if the user may see it (a draft facility's is a 404 to others, as a missing one)."""
    resource = get_object_or_404(Resource.objects.select_related("facility"), pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, resource.facility)
    return resource


@login_required
def manage(request, pk):
    """A manager's page for a resource's external calendars: their state, attach one, read one now, remove one."""
    resource = _resource(request, pk)
    require(policies.can_manage_external_calendars, request.user, resource)
    form = ExternalCalendarForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.external_calendar_add(resource=resource, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The calendar is attached and will be read in a moment."))
                return redirect("calendars:manage", pk=resource.pk)
    calendars = selectors.external_calendars_of(resource)
    rows = [
        {
            "calendar": calendar,
            "stale": selectors.is_stale(calendar),
            "error": selectors.feed_error_message(calendar.error_code) if calendar.error_code else "",
        }
        for calendar in calendars
    ]
    return render(request, "calendars/manage.html", {"resource": resource, "form": form, "rows": rows}, status=status)


def _calendar_action(request, pk, calendar_id):
    resource = _resource(request, pk)
    calendar = selectors.external_calendar_of(resource, calendar_id)
    if calendar is None:
        raise Http404
    return resource, calendar


@login_required
@require_POST
def remove(request, pk, calendar_id):
    resource, calendar = _calendar_action(request, pk, calendar_id)
    services.external_calendar_remove(calendar=calendar, actor=request.user)
    messages.success(request, _("The calendar is removed; its busy times no longer count."))
    return redirect("calendars:manage", pk=resource.pk)


@login_required
@require_POST
def refresh(request, pk, calendar_id):
    resource, calendar = _calendar_action(request, pk, calendar_id)
    services.external_calendar_refresh(calendar=calendar, actor=request.user)
    messages.success(request, _("The calendar will be read again in a moment."))
    return redirect("calendars:manage", pk=resource.pk)


def demo_feed(request, name):
    """The demo's stand-in for a facility's local booking system: an iCalendar feed of made-up events."""
    body = demo.demo_feed(name)
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
