from urllib.parse import quote_plus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalogue import policies, selectors, services
from catalogue.filtersets import FacilityFilterSet
from catalogue.forms import ContactPersonForm, FacilityForm, InstitutionForm, ResourceForm
from catalogue.models import ContactPerson, Facility, Institution, Resource
from core.errors import DomainError
from core.navigation import result_facts_for
from core.policies import require

SEARCH_PAGE_SIZE = 20
FACET_LABELS = {
    "institution": gettext_lazy("Institution"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("City"),
    "kind": gettext_lazy("Kind of facility"),
    "category": gettext_lazy("Research field"),
    "access_model": gettext_lazy("Access model"),
    "open_to_industry": gettext_lazy("Open to industry"),
}


def home(request):
    return render(
        request,
        "catalogue/home.html",
        {"institution_count": Institution.objects.count(), "facility_count": selectors.published_facilities().count()},
    )


def search(request):
    """Search results with facets; the same FacilityFilterSet as GET /api/v1/facilities/."""
    filterset = FacilityFilterSet(request.GET, queryset=selectors.visible_facilities(request.user))
    # The search runs once: every result's id in order, from which the facets, the count and the page are read.
    ids = selectors.facility_result_ids(filterset.qs, text=request.GET.get("q", ""))
    facets = selectors.facility_facets_of(ids)
    page = Paginator(ids, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = facilities = selectors.facilities_in_order(page.object_list)
    facts = result_facts_for(request, facilities)  # price and bookability, from the apps above (one pass each)
    for facility in facilities:
        facility.result_facts = facts.get(facility.pk, [])
    return render(
        request,
        "catalogue/search.html",
        {
            "filterset": filterset,
            "page": page,
            "facets": _facet_links(request, facets),
            "active_filters": _active_filters(request, facets),
            "query": request.GET.get("q", ""),
            "paging_query": _query_without(request, "page"),
            "stale_before": selectors.stale_before(),
        },
    )


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _facet_links(request, facets: dict) -> dict:
    """Each facet value gets a link that sets (or, when active, removes) it and keeps the other filters.

    The query string of each link is the page's own without `page`, with the facet's parameter set to the value
    (where it stood, or at the end) or left out; the encoded parameters around it are joined once per facet, not
    once per value (a national register lists some hundred values)."""
    params = request.GET.copy()
    params.pop("page", None)
    pairs = [(name, _encoded(name, params.getlist(name))) for name in params]
    linked = {}
    for name, values in facets.items():
        names = [key for key, _part in pairs]
        position = names.index(name) if name in names else len(pairs)
        before = [part for _key, part in pairs[:position] if part]
        after = [part for _key, part in pairs[position + 1 :] if part]
        without = "?" + "&".join(before + after)
        current = params.get(name)
        prefix = quote_plus(name) + "="
        linked[name] = []
        for value in values:
            active = current == value["value"]
            url = without if active else "?" + "&".join([*before, prefix + quote_plus(str(value["value"])), *after])
            linked[name].append({**value, "active": active, "url": url})
    return linked


def _encoded(name: str, values: list[str]) -> str:
    """`name=value&name=value2`, as QueryDict.urlencode() writes a parameter."""
    return "&".join(quote_plus(name) + "=" + quote_plus(str(value)) for value in values)


def _active_filters(request, facets) -> list[dict]:
    """The filters in use, named by their label and value label, each with a link that removes it."""
    active = []
    for name, label in FACET_LABELS.items():
        value = request.GET.get(name)
        if not value:
            continue
        # The yes/no facet (open to industry) has no label of its own: its one value reads "Yes", as in the list.
        labels = {option["value"]: option["label"] or _("Yes") for option in facets.get(name, [])}
        active.append(
            {
                "label": label,
                "value": labels.get(value, value),
                "remove_url": "?" + _query_without(request, name, "page"),
            }
        )
    return active


def facility_detail(request, slug):
    facility = get_object_or_404(selectors.facility_detail_queryset(), slug=slug)
    if not policies.can_view_facility(request.user, facility):
        raise Http404
    return render(
        request,
        "catalogue/facility_detail.html",
        {
            "facility": facility,
            "primary_contact": selectors.primary_contact(facility),
            "is_stale": selectors.facility_is_stale(facility),
            "can_edit": policies.can_edit_facility(request.user, facility),
            # How it is booked and what it costs this visitor, at the top (the full price table is further down).
            "summary_facts": result_facts_for(request, [facility]).get(facility.pk, []),
            "json_ld": selectors.facility_json_ld(
                facility, request.build_absolute_uri(reverse("catalogue:facility", args=[facility.slug]))
            ),
        },
    )


def institution_list(request):
    return render(request, "catalogue/institution_list.html", {"institutions": selectors.institutions_with_counts()})


def institution_detail(request, slug):
    institution = get_object_or_404(Institution, slug=slug)
    facilities = selectors.published_facilities().filter(institution=institution).order_by("name")
    return render(
        request,
        "catalogue/institution_detail.html",
        {
            "institution": institution,
            "facilities": facilities,
            "can_create_facility": policies.can_create_facility(request.user, institution),
            "can_manage_institution": policies.can_manage_institution(request.user, institution),
        },
    )


@login_required
def institution_edit(request, slug):
    institution = get_object_or_404(Institution, slug=slug)
    require(policies.can_manage_institution, request.user, institution)
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(institution=institution, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("catalogue:institution", institution.slug)
    return render(request, "catalogue/institution_form.html", {"form": form, "institution": institution})


@login_required
def dashboard(request):
    """Mitt Labtorget: the facilities the user keeps, with one-click verification, and other apps' panels."""
    facilities = list(selectors.managed_facilities(request.user))
    for facility in facilities:
        facility.is_stale = selectors.facility_is_stale(facility)
    admin_institutions = selectors.institutions_administered_by(request.user)
    return render(
        request,
        "catalogue/dashboard.html",
        {"facilities": facilities, "admin_institutions": admin_institutions},
    )


def _visible_facility(request, slug) -> Facility:
    """The facility, or 404 when the user may not see it (a draft's existence is nobody else's business)."""
    facility = get_object_or_404(Facility.objects.select_related("institution"), slug=slug)
    if not policies.can_view_facility(request.user, facility):
        raise Http404
    return facility


def _managed_facility(request, slug) -> Facility:
    """The facility whose manager pages the user may see (the services check each change again)."""
    facility = _visible_facility(request, slug)
    require(policies.can_edit_facility, request.user, facility)
    return facility


def _show_error(request, form, error):
    """A service's ValidationError or DomainError on the field it names, or as a page message."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    elif isinstance(error, DomainError) and form is not None and error.field in form.fields:
        form.add_error(error.field, str(error))
    elif form is not None:
        form.add_error(None, str(error.message if isinstance(error, DomainError) else " ".join(error.messages)))
    else:
        messages.error(request, str(error))


@login_required
def facility_create(request, institution_slug):
    institution = get_object_or_404(Institution, slug=institution_slug)
    require(policies.can_create_facility, request.user, institution)
    form = FacilityForm(request.POST or None, initial={"city": institution.city})
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(institution=institution, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The facility is created as a draft. Add a primary contact, then publish."))
            return redirect("catalogue:facility_manage", facility.slug)
    return render(request, "catalogue/facility_form.html", {"form": form, "institution": institution})


@login_required
def facility_manage(request, slug):
    """The manager's page: edit the entry; contacts, resources, publish and verify; other apps' panels."""
    facility = _managed_facility(request, slug)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(facility=facility, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("catalogue:facility_manage", facility.slug)
    return render(
        request,
        "catalogue/facility_manage.html",
        {
            "facility": facility,
            "form": form,
            "contacts": facility.contacts.all(),
            "resources": facility.resources.order_by("name"),
            "is_stale": selectors.facility_is_stale(facility),
        },
    )


@require_POST
@login_required
def facility_publish(request, slug):
    facility = _visible_facility(request, slug)
    try:
        services.facility_publish(facility=facility, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The facility is published."))
    return redirect("catalogue:facility_manage", facility.slug)


@require_POST
@login_required
def facility_unpublish(request, slug):
    facility = _visible_facility(request, slug)
    services.facility_unpublish(facility=facility, actor=request.user)
    messages.success(request, _("The facility is now a draft and hidden from the public."))
    return redirect("catalogue:facility_manage", facility.slug)


@require_POST
@login_required
def facility_verify(request, slug):
    facility = _visible_facility(request, slug)
    services.facility_mark_verified(facility=facility, actor=request.user)
    messages.success(request, _("Thank you. “%(name)s” is marked as verified today.") % {"name": facility.name})
    next_url = request.POST.get("next")
    if next_url == "dashboard":
        return redirect("catalogue:dashboard")
    return redirect("catalogue:facility_manage", facility.slug)


@login_required
def contact_edit(request, slug, pk=None):
    facility = _managed_facility(request, slug)
    contact = get_object_or_404(ContactPerson, pk=pk, facility=facility) if pk else None
    form = ContactPersonForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact:
                services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
            else:
                services.contact_create(facility=facility, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The contact person is saved."))
            return redirect("catalogue:facility_manage", facility.slug)
    return render(request, "catalogue/contact_form.html", {"form": form, "facility": facility, "contact": contact})


@require_POST
@login_required
def contact_delete(request, slug, pk):
    facility = _visible_facility(request, slug)
    contact = get_object_or_404(ContactPerson, pk=pk, facility=facility)
    try:
        services.contact_delete(contact=contact, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The contact person is removed."))
    return redirect("catalogue:facility_manage", facility.slug)


@login_required
def resource_edit(request, slug, pk=None):
    facility = _managed_facility(request, slug)
    resource = get_object_or_404(Resource, pk=pk, facility=facility) if pk else None
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            if resource:
                services.resource_update(resource=resource, actor=request.user, **form.cleaned_data)
            else:
                services.resource_create(facility=facility, actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The resource is saved."))
            return redirect("catalogue:facility_manage", facility.slug)
    return render(request, "catalogue/resource_form.html", {"form": form, "facility": facility, "resource": resource})


@require_POST
@login_required
def resource_delete(request, slug, pk):
    facility = _visible_facility(request, slug)
    resource = get_object_or_404(Resource, pk=pk, facility=facility)
    if services.resource_delete(resource=resource, actor=request.user):
        messages.success(request, _("The resource is deleted."))
    else:
        messages.success(request, _("The resource has bookings, so it is retired instead of deleted."))
    return redirect(reverse("catalogue:facility_manage", args=[facility.slug]))
