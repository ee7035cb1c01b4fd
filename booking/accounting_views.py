"""Pages for the separate accounts: state-aid shares, revenue split, invoice basis (CSV) and EHF invoices.

Thin: parse input with accounting_forms, check accounting_policies, call one selector, render. CSV files are
for Norwegian spreadsheets: UTF-8 with BOM, semicolon-separated, decimal comma, no thousands separator, dates
as YYYY-MM-DD, organisation numbers as nine plain digits.
"""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking import accounting, accounting_forms, accounting_policies, ehf
from catalogue import roles
from catalogue.models import Facility, Institution
from core.errors import DomainError
from core.navigation import DASHBOARD, FACILITY_MANAGE, NavItem, Panel, register_nav_item, register_panel
from core.policies import require

# --- Helpers shared with the API -------------------------------------------------------------------------------


def scope_for(user, scope: str, pk: int) -> accounting.AccountsScope:
    """The facility or institution scope, 404 if it does not exist, 403 unless the user may see its accounts."""
    try:
        if scope == "facility":
            resolved = accounting.facility_scope(pk)
            require(accounting_policies.can_view_facility_accounts, user, resolved.facility)
        else:
            resolved = accounting.institution_scope(pk)
            require(accounting_policies.can_view_institution_accounts, user, resolved.institution)
    except (Facility.DoesNotExist, Institution.DoesNotExist) as missing:
        raise Http404 from missing
    return resolved


def csv_decimal(value) -> str:
    return "" if value is None else format(value, "f").replace(".", ",")


def csv_response(filename: str, rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def revenue_csv_rows(rows: list[accounting.RevenueRow]) -> list[list]:
    header = [_("Facility"), _("Year"), _("Activity"), _("Bookings"), _("Net amount"), _("VAT"), _("Total")]
    body = [
        [
            row.facility_name,
            row.year,
            str(row.activity_label),
            row.bookings,
            csv_decimal(row.net_amount),
            csv_decimal(row.vat_amount),
            csv_decimal(row.total_amount),
        ]
        for row in rows
    ]
    return [header, *body]


def invoice_basis_csv_rows(basis: accounting.InvoiceBasis) -> list[list]:
    header = [
        _("Row"),
        _("Paying organisation"),
        _("Organisation number"),
        _("Booking"),
        _("Facility"),
        _("Resource"),
        _("Date"),
        _("Description"),
        _("Quantity"),
        _("Unit"),
        _("Unit price"),
        _("Net amount"),
        _("VAT rate"),
        _("VAT"),
        _("Total"),
        _("Currency"),
        _("Booked by"),
    ]
    rows = [header]
    for payer in basis.payers:
        for line in payer.lines:
            rows.append(
                [
                    _("Line"),
                    payer.name,
                    payer.org_number,
                    line.booking_id,
                    line.facility_name,
                    line.resource_name,
                    line.date.isoformat(),
                    line.description,
                    csv_decimal(line.quantity),
                    line.unit_label,
                    csv_decimal(line.unit_price),
                    csv_decimal(line.net_amount),
                    csv_decimal(line.vat_rate),
                    csv_decimal(line.vat_amount),
                    csv_decimal(line.total_amount),
                    line.currency,
                    line.booked_by,
                ]
            )
        rows.append(
            [_("Sum"), payer.name, payer.org_number, *[""] * 8, csv_decimal(payer.net_amount), ""]
            + [csv_decimal(payer.vat_amount), csv_decimal(payer.total_amount), "", ""]
        )
    rows.append(
        [_("Total"), "", "", *[""] * 8, csv_decimal(basis.net_amount), ""]
        + [csv_decimal(basis.vat_amount), csv_decimal(basis.total_amount), "", ""]
    )
    return rows


def ehf_document(scope: accounting.AccountsScope, data: dict) -> tuple[bytes, str]:
    """(XML, file name) of the EHF invoice for the paying organisation in `data`; DomainError if impossible."""
    basis = accounting.invoice_basis(
        facility_ids=scope.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
    )
    payer = basis.payer(data["org_number"])
    if payer is None:
        raise DomainError(_("Nothing to invoice this organisation in the period."), field="org_number")
    number = data.get("invoice_number") or (
        f"LT-{scope.institution.id}-{payer.org_number}-{data['from_date']:%Y%m%d}-{data['to_date']:%Y%m%d}"
    )
    xml = ehf.invoice_xml(
        seller=scope.institution,
        payer=payer,
        first_day=data["from_date"],
        last_day=data["to_date"],
        issue_date=timezone.localdate(),
        invoice_number=number,
        buyer_reference=data.get("buyer_reference", ""),
    )
    return xml, f"ehf-{number}.xml"


# --- Pages -----------------------------------------------------------------------------------------------------


@login_required
def accounting_index(request):
    """The facilities and institutions whose accounts the user may see."""
    facilities = Facility.objects.filter(id__in=roles.managed_facility_ids(request.user)).select_related("institution")
    if request.user.is_staff:
        institutions = Institution.objects.all()
    else:
        institutions = Institution.objects.filter(id__in=roles.admin_institution_ids(request.user))
    if not facilities and not institutions:
        raise PermissionDenied
    return render(
        request,
        "booking/accounting/index.html",
        {"facilities": facilities.order_by("institution__name", "name"), "institutions": institutions},
    )


@login_required
def accounting_overview(request, pk: int, scope: str):
    """State-aid shares per resource and revenue split per facility for a year."""
    resolved = scope_for(request.user, scope, pk)
    form = accounting_forms.bind(accounting_forms.YearForm, request.GET)
    if not form.is_valid():
        return render(request, "booking/accounting/overview.html", {"scope": resolved, "form": form}, status=400)
    year = form.cleaned_data["year"]
    context = {
        "scope": resolved,
        "form": form,
        "year": year,
        "shares": accounting.state_aid_shares(
            resources=accounting.resources_of_facilities(resolved.facility_ids), year=year
        ),
        "revenue": accounting.revenue_split(facilities=resolved.facilities, year=year),
        "warning_percent": accounting.percent_text(accounting.thresholds()[0]),
        "alert_percent": accounting.percent_text(accounting.thresholds()[1]),
    }
    return render(request, "booking/accounting/overview.html", context)


@login_required
def revenue_csv(request, pk: int, scope: str):
    resolved = scope_for(request.user, scope, pk)
    form = accounting_forms.bind(accounting_forms.YearForm, request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    rows = accounting.revenue_split(facilities=resolved.facilities, year=year)
    return csv_response(f"revenue-{resolved.kind}-{pk}-{year}.csv", revenue_csv_rows(rows))


@login_required
def invoice_basis_page(request, pk: int, scope: str):
    resolved = scope_for(request.user, scope, pk)
    form = accounting_forms.bind(accounting_forms.PeriodForm, request.GET)
    if not form.is_valid():
        return render(request, "booking/accounting/invoice_basis.html", {"scope": resolved, "form": form}, status=400)
    data = form.cleaned_data
    basis = accounting.invoice_basis(
        facility_ids=resolved.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
    )
    # Show the period the figures are for (this month when none was given) in the date fields.
    shown = accounting_forms.PeriodForm({"from_date": basis.first_day, "to_date": basis.last_day})
    return render(request, "booking/accounting/invoice_basis.html", {"scope": resolved, "form": shown, "basis": basis})


@login_required
def invoice_basis_csv(request, pk: int, scope: str):
    resolved = scope_for(request.user, scope, pk)
    form = accounting_forms.bind(accounting_forms.PeriodForm, request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    basis = accounting.invoice_basis(
        facility_ids=resolved.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
    )
    filename = f"invoice-basis-{resolved.kind}-{pk}-{data['from_date']:%Y%m%d}-{data['to_date']:%Y%m%d}.csv"
    return csv_response(filename, invoice_basis_csv_rows(basis))


@login_required
def ehf_invoice(request, pk: int, scope: str):
    resolved = scope_for(request.user, scope, pk)
    form = accounting_forms.bind(accounting_forms.EhfForm, request.GET)
    try:
        xml, filename = ehf_document(resolved, accounting_forms.cleaned_or_raise(form))
    except DomainError as error:
        return HttpResponse(f"{error.field}: {error.message}", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Panels and navigation -------------------------------------------------------------------------------------


def facility_state_aid_panel(request, facility):
    """On the manager's page of a facility: this year's state-aid shares of its resources."""
    if facility is None or not accounting_policies.can_view_facility_accounts(request.user, facility):
        return None
    year = accounting.current_year()
    shares = accounting.state_aid_shares(resources=accounting.resources_of_facilities([facility.id]), year=year)
    return {
        "year": year,
        "shares": shares,
        "facility": facility,
        "has_alert": any(s.level == accounting.LEVEL_ALERT for s in shares),
        "has_warning": any(s.level == accounting.LEVEL_WARNING for s in shares),
        "warning_percent": accounting.percent_text(accounting.thresholds()[0]),
        "alert_percent": accounting.percent_text(accounting.thresholds()[1]),
    }


def dashboard_state_aid_panel(request, obj=None):
    """On the dashboard of managers and admins: resources at or above the warning line this year, if any."""
    facility_ids = roles.managed_facility_ids(request.user)
    if not facility_ids:
        return None
    year = accounting.current_year()
    shares = [
        share
        for share in accounting.state_aid_shares(resources=accounting.resources_of_facilities(facility_ids), year=year)
        if share.level in (accounting.LEVEL_WARNING, accounting.LEVEL_ALERT)
    ]
    if not shares:
        return None
    return {
        "year": year,
        "shares": shares,
        "has_alert": any(s.level == accounting.LEVEL_ALERT for s in shares),
        "warning_percent": accounting.percent_text(accounting.thresholds()[0]),
        "alert_percent": accounting.percent_text(accounting.thresholds()[1]),
    }


def register_accounting_extensions() -> None:
    """Called from BookingConfig.ready(): the menu entry and the state-aid panels."""
    import booking.accounting_models  # noqa: F401  (registers StateAidAlert with the app registry)

    register_nav_item(
        NavItem(
            label=gettext_lazy("Accounting"),
            url_name="booking:accounting_index",
            order=80,
            visible=accounting_policies.can_see_accounting_menu,
        )
    )
    register_panel(
        FACILITY_MANAGE, Panel(template_name="booking/accounting/panel_facility.html", build=facility_state_aid_panel)
    )
    register_panel(
        DASHBOARD, Panel(template_name="booking/accounting/panel_dashboard.html", build=dashboard_state_aid_panel)
    )
