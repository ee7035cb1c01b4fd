"""Pages for the separate accounts: state-aid shares, revenue split, invoice basis (CSV) and EHF invoices.

Thin: parse input with accounting.forms, check accounting.policies, call one selector, render. CSV files are
for Norwegian spreadsheets: UTF-8 with BOM, semicolon-separated, decimal comma, no thousands separator, dates
as YYYY-MM-DD, organisation numbers as nine plain digits. Every cell goes through core.exports (no control
characters; a text a spreadsheet would run as a formula starts with an apostrophe).
"""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting import ehf, forms, selectors
from accounting.policies import accounts_scope_for
from catalogue import roles
from catalogue.models import Facility, Institution
from core.errors import DomainError
from core.exports import csv_write

# --- CSV -------------------------------------------------------------------------------------------------------


def csv_decimal(value) -> str:
    return "" if value is None else format(value, "f").replace(".", ",")


def csv_response(filename: str, rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    csv_write(buffer, rows, delimiter=";", lineterminator="\r\n")  # no control characters, no formulas
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def revenue_csv_rows(rows: list[selectors.RevenueRow]) -> list[list]:
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


def invoice_basis_csv_rows(basis: selectors.InvoiceBasis) -> list[list]:
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
        _("VAT category"),
        _("VAT reason"),
    ]
    rows = [header]
    for payer in basis.payers:
        for line in payer.lines:
            rows.append(
                [
                    _("Line"),
                    payer.name,
                    payer.org_number,
                    line.booking_id if line.booking_id is not None else line.item_id,
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
                    line.vat_category,
                    line.vat_reason,
                ]
            )
        rows.append(
            [_("Sum"), payer.name, payer.org_number, *[""] * 8, csv_decimal(payer.net_amount), ""]
            + [csv_decimal(payer.vat_amount), csv_decimal(payer.total_amount), "", "", "", ""]
        )
    rows.append(
        [_("Total"), "", "", *[""] * 8, csv_decimal(basis.net_amount), ""]
        + [csv_decimal(basis.vat_amount), csv_decimal(basis.total_amount), "", "", "", ""]
    )
    return rows


# --- Pages -----------------------------------------------------------------------------------------------------


@login_required
def index(request):
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
        "accounting/index.html",
        {"facilities": facilities.order_by("institution__name", "name"), "institutions": institutions},
    )


@login_required
def overview(request, pk: int, scope: str):
    """State-aid shares per resource and revenue split per facility for a year."""
    resolved = accounts_scope_for(request.user, kind=scope, pk=pk)
    form = forms.bind(forms.YearForm, request.GET)
    if not form.is_valid():
        return render(request, "accounting/overview.html", {"scope": resolved, "form": form}, status=400)
    year = form.cleaned_data["year"]
    context = {
        "scope": resolved,
        "form": form,
        "year": year,
        "shares": selectors.state_aid_shares(
            resources=selectors.resources_of_facilities(resolved.facility_ids), year=year
        ),
        "revenue": selectors.revenue_split(facilities=resolved.facilities, year=year),
        "warning_percent": selectors.percent_text(selectors.thresholds()[0]),
        "alert_percent": selectors.percent_text(selectors.thresholds()[1]),
    }
    return render(request, "accounting/overview.html", context)


@login_required
def revenue_csv(request, pk: int, scope: str):
    resolved = accounts_scope_for(request.user, kind=scope, pk=pk)
    form = forms.bind(forms.YearForm, request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    rows = selectors.revenue_split(facilities=resolved.facilities, year=year)
    return csv_response(f"revenue-{resolved.kind}-{pk}-{year}.csv", revenue_csv_rows(rows))


@login_required
def invoice_basis_page(request, pk: int, scope: str):
    resolved = accounts_scope_for(request.user, kind=scope, pk=pk)
    form = forms.bind(forms.PeriodForm, request.GET)
    if not form.is_valid():
        return render(request, "accounting/invoice_basis.html", {"scope": resolved, "form": form}, status=400)
    data = form.cleaned_data
    basis = selectors.invoice_basis(
        facility_ids=resolved.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
    )
    # Show the period the figures are for (this month when none was given) in the date fields.
    shown = forms.PeriodForm({"from_date": basis.first_day, "to_date": basis.last_day})
    # The EHF documents each payer needs: lines with VAT and lines outside its scope go on separate ones.
    payers = [(payer, ehf.vat_parts(payer)) for payer in basis.payers]
    return render(
        request,
        "accounting/invoice_basis.html",
        {"scope": resolved, "form": shown, "basis": basis, "payers": payers},
    )


@login_required
def invoice_basis_csv(request, pk: int, scope: str):
    resolved = accounts_scope_for(request.user, kind=scope, pk=pk)
    form = forms.bind(forms.PeriodForm, request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    basis = selectors.invoice_basis(
        facility_ids=resolved.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
    )
    filename = f"invoice-basis-{resolved.kind}-{pk}-{data['from_date']:%Y%m%d}-{data['to_date']:%Y%m%d}.csv"
    return csv_response(filename, invoice_basis_csv_rows(basis))


@login_required
def ehf_invoice(request, pk: int, scope: str):
    resolved = accounts_scope_for(request.user, kind=scope, pk=pk)
    try:
        arguments = forms.ehf_invoice_arguments(request.GET)
        xml, filename = ehf.invoice_for_payer(scope=resolved, issue_date=timezone.localdate(), **arguments)
    except DomainError as error:
        return HttpResponse(f"{error.field}: {error.message}", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
