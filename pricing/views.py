from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue import roles
from catalogue.models import Facility, Institution, Resource
from core.db import MAX_ID
from core.errors import DomainError
from core.policies import require
from pricing import policies, selectors, services, tdi
from pricing.choices import VatCategory
from pricing.forms import (
    AgreementDecisionForm,
    CollaborationAgreementForm,
    CostBaseForm,
    PriceListForm,
    SaveAsCostBaseForm,
    StaffLineFormSet,
    TdiCalculatorForm,
    VatRuleForm,
    staff_lines,
)
from pricing.models import CollaborationAgreement, PriceList


def _apply_errors(form, error):
    """Show a service's DomainError or ValidationError on the field it names (else on the whole form)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    elif isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, str(error))
    else:
        form.add_error(None, error.messages)


def calculator(request):
    """The TDI calculator as a page; works without log-in, like the API. A manager can save the figures as the cost
    base of a resource in the same step ("save" button), which then sets the floor of its economic prices."""
    form = TdiCalculatorForm(request.POST or None)
    staff = StaffLineFormSet(request.POST or None, prefix="staff")
    resources = selectors.resources_priced_by(request.user) if request.user.is_authenticated else None
    save_form = (
        SaveAsCostBaseForm(
            request.POST if "save" in request.POST else None,
            resources=resources,
            initial={"year": timezone.localdate().year},
            prefix="save",
        )
        if resources is not None and resources.exists()
        else None
    )
    result = None
    if request.method == "POST" and form.is_valid() and staff.is_valid():
        try:
            result = tdi.calculate(form.inputs(staff_lines(staff)))
        except DomainError as error:
            _apply_errors(form, error)
        if result is not None and save_form is not None and save_form.is_bound and save_form.is_valid():
            resource = save_form.cleaned_data["resource"]  # one the person prices; the service checks again
            year = save_form.cleaned_data["year"]
            figures = {name: form.cleaned_data[name] for name in services.COST_BASE_FIELDS if name in form.cleaned_data}
            try:
                services.cost_base_save(
                    actor=request.user, resource=resource, year=year, staff=staff_lines(staff),
                    capacity_unit=save_form.cleaned_data["capacity_unit"], **figures,
                )  # fmt: skip
            except (DomainError, ValidationError) as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The figures are saved as the %(year)d cost base of %(resource)s.")
                    % {"year": year, "resource": resource.name},
                )
                return redirect(f"{reverse('pricing:cost_base', args=[resource.pk])}?year={year}")
    context = {"form": form, "staff": staff, "result": result, "save_form": save_form}
    return render(request, "pricing/calculator.html", context)


def _managed_resource(request, pk) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("facility__institution"), pk=pk)
    require(policies.can_manage_prices, request.user, resource)
    return resource


@login_required
def cost_base_edit(request, pk):
    """The manager's yearly cost base for a resource, with the full cost and its breakdown."""
    resource = _managed_resource(request, pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    existing = resource.cost_bases.filter(year=year).first()
    staff_initial = (
        [
            {name: getattr(line, name) for name in ("role", *StaffLineFormSet.form.NUMBERS)}
            for line in existing.staff_lines.all()
        ]
        if existing
        else []
    )
    form = CostBaseForm(request.POST or None, instance=existing)
    staff = StaffLineFormSet(request.POST or None, prefix="staff", initial=staff_initial)
    if request.method == "POST" and form.is_valid() and staff.is_valid():
        try:
            services.cost_base_save(
                actor=request.user, resource=resource, year=year, staff=staff_lines(staff), **form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The cost base is saved."))
            blocked = selectors.blocked_price_count(resource=resource)
            if blocked:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d economic price is now below full cost plus the minimum margin and is blocked: "
                        "correct the price lists.",
                        "%(count)d economic prices are now below full cost plus the minimum margin and are "
                        "blocked: correct the price lists.",
                        blocked,
                    )
                    % {"count": blocked},
                )
            return redirect(f"{request.path}?year={year}")
    result = selectors.cost_base_result_or_none(existing)
    return render(
        request,
        "pricing/cost_base_form.html",
        {
            "resource": resource,
            "year": year,
            "form": form,
            "staff": staff,
            "result": result,
            "years": [year - 1, year + 1],
        },
    )


@login_required
def price_lists(request, pk):
    """The resource's price lists and a form for a new one."""
    resource = _managed_resource(request, pk)
    form = PriceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_save(
                actor=request.user,
                resource=resource,
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
                note=form.cleaned_data["note"],
                fixed_fee_quantity=form.cleaned_data["fixed_fee_quantity"],
                fixed_fee_unit=form.cleaned_data["fixed_fee_unit"],
                prices=form.prices(),
            )
        except (DomainError, ValidationError) as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The price list is saved."))
            return redirect("pricing:price_lists", pk=resource.pk)
    lists = selectors.price_lists_with_vat(
        resource.price_lists.select_related("resource__facility").prefetch_related("items").order_by("-valid_from")
    )
    return render(
        request,
        "pricing/price_lists.html",
        {
            "resource": resource,
            "form": form,
            "price_lists": [(price_list, selectors.blocked_price_messages(price_list)) for price_list in lists],
            # The floor of the period being entered: the year of the "valid from" typed, else this year.
            **_floor_context(resource, _period_start(form) or timezone.localdate()),
        },
    )


@login_required
def price_list_edit(request, pk):
    price_list = get_object_or_404(PriceList.objects.select_related("resource__facility"), pk=pk)
    resource = _managed_resource(request, price_list.resource_id)
    form = PriceListForm(request.POST or None, initial=PriceListForm.initial_for(price_list))
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_save(
                actor=request.user,
                resource=resource,
                price_list=price_list,
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
                note=form.cleaned_data["note"],
                fixed_fee_quantity=form.cleaned_data["fixed_fee_quantity"],
                fixed_fee_unit=form.cleaned_data["fixed_fee_unit"],
                prices=form.prices(),
            )
        except (DomainError, ValidationError) as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The price list is saved."))
            return redirect("pricing:price_lists", pk=resource.pk)
    return render(
        request,
        "pricing/price_list_form.html",
        {
            "resource": resource,
            "form": form,
            "price_list": price_list,
            **_floor_context(resource, _period_start(form) or price_list.valid_from),
        },
    )


def _period_start(form):
    """The "valid from" of a submitted price list form, when it was a date (its floor is the one to show)."""
    return getattr(form, "cleaned_data", {}).get("valid_from") if form.is_bound else None


def _floor_context(resource, day):
    """The full cost the manager's economic prices are checked against, and the lowest economic price per unit,
    shown next to the form."""
    cost_base = selectors.cost_base_for(resource=resource, year=day.year)
    if cost_base is None:
        return {"cost_base": None}
    result = selectors.cost_base_result_or_none(cost_base)
    if result is None:
        return {"cost_base": None}
    return {
        "cost_base": cost_base,
        "cost_base_result": result,
        "floors": selectors.economic_price_floors(cost_base=cost_base),
        "minimum_margin_percent": selectors.minimum_margin_percent(),
    }


# --- Collaboration agreements ------------------------------------------------------------------------------------


@login_required
def my_agreements(request):
    """The person's collaboration agreements: proposed, approved or rejected, and whom they name."""
    return render(request, "pricing/my_agreements.html", {"agreements": selectors.agreements_of_person(request.user)})


@login_required
def agreement_propose(request, pk):
    """Propose a collaboration agreement with a facility; its managers approve it."""
    if pk > MAX_ID:  # no such row, and more than the database can compare
        raise Http404
    facility = get_object_or_404(Facility.objects.select_related("institution"), pk=pk)
    require(policies.can_propose_agreement, request.user, facility)
    form = CollaborationAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.collaboration_agreement_propose(
                actor=request.user, facility=facility, title=data["title"], partner_name=data["partner_name"],
                partner_org_number=data["partner_org_number"], description=data["description"],
                valid_from=data["valid_from"], valid_to=data["valid_to"],
                effective_collaboration=data["effective_collaboration"], shared_risk=data["shared_risk"],
                may_publish=data["may_publish"], participants=form.participant_emails(),
            )  # fmt: skip
        except DomainError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your proposal is sent to the facility's managers."))
            return redirect("pricing:my_agreements")
    status = 400 if form.errors else 200
    return render(request, "pricing/agreement_propose.html", {"facility": facility, "form": form}, status=status)


@login_required
def facility_agreements(request, pk):
    """The facility's collaboration agreements for its managers: approve, reject, name participants, end."""
    if pk > MAX_ID:  # no such row, and more than the database can compare
        raise Http404
    facility = get_object_or_404(Facility.objects.select_related("institution"), pk=pk)
    if not roles.can_manage_facility(request.user, facility):
        raise PermissionDenied
    form = AgreementDecisionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            agreement = get_object_or_404(CollaborationAgreement, pk=data["agreement"], facility=facility)
            try:
                _agreement_act(request.user, agreement, data)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The agreement is updated."))
                return redirect("pricing:facility_agreements", pk=facility.pk)
        else:
            messages.error(request, _("Choose an agreement and what to do with it."))
    context = {"facility": facility, "agreements": selectors.agreements_of_facilities([facility.pk])}
    return render(request, "pricing/facility_agreements.html", context, status=400 if request.method == "POST" else 200)


def _agreement_act(actor, agreement, data) -> None:
    action = data["action"]
    if action == "approve":
        services.collaboration_agreement_approve(agreement=agreement, actor=actor, reason=data["reason"])
    elif action == "reject":
        services.collaboration_agreement_reject(agreement=agreement, actor=actor, reason=data["reason"])
    elif action == "add":
        services.collaboration_agreement_participant_add(agreement=agreement, actor=actor, email=data["email"] or "")
    elif data["last_day"] is None:
        raise DomainError(_("Give the last day of the agreement."), field="last_day", code="required")
    else:
        services.collaboration_agreement_end(agreement=agreement, actor=actor, last_day=data["last_day"])


# --- The VAT table -----------------------------------------------------------------------------------------------


@login_required
def vat_rules(request, pk):
    """The institution's VAT table for its managers and admins; admins override the default per access model,
    and every change is listed with who made it."""
    if pk > MAX_ID:  # no such row, and more than the database can compare
        raise Http404
    institution = get_object_or_404(Institution, pk=pk)
    require(policies.can_view_vat_rules, request.user, institution)
    may_change = policies.can_change_vat_rules(request.user, institution)
    form = VatRuleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(policies.can_change_vat_rules, request.user, institution)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.vat_rule_save(
                    institution=institution, access_model=data["access_model"], actor=request.user,
                    category=data["category"], rate=data["rate"], reason_code=data["reason_code"],
                    reason=data["reason"], note=data["note"],
                )  # fmt: skip
            except DomainError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The VAT table is updated."))
                return redirect("pricing:vat_rules", pk=institution.pk)
        status = 400
    context = {
        "institution": institution,
        "rows": selectors.vat_table(institution_id=institution.pk),
        "changes": selectors.vat_rule_changes(institution_id=institution.pk),
        "may_change": may_change,
        "form": form,
        "categories": VatCategory.choices,
    }
    return render(request, "pricing/vat_rules.html", context, status=status)
