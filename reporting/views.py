"""The public statistics pages (/statistikk/), their downloads, and the usage reports for managers.

Thin: parse the period, call the selectors, render. The figures are read from the published aggregates."""

from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation

from accounting.forms import YearForm
from accounting.selectors import percent_text
from catalogue import policies as catalogue_policies
from catalogue.models import Facility, Resource
from core.errors import DomainError
from core.exports import csv_write
from core.policies import require, require_visible
from reporting import fields, policies, selectors, usage
from reporting.api.serializers import SERIALIZERS
from reporting.choices import Dimension
from reporting.forms import PeriodForm, quarter_label

DOWNLOADS = {
    "institutions": (Dimension.INSTITUTION, "institution"),
    "regions": (Dimension.REGION, "region"),
    "kinds": (Dimension.FACILITY_KIND, "kind"),
    "national": (Dimension.NATIONAL, "area"),
}


def _period(request) -> tuple[PeriodForm, int, int]:
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, 0, 0
    data = form.cleaned_data if request.GET else {}
    return form, data.get("year") or selectors.last_year(), data.get("quarter") or 0


class StatisticsTables:
    """The page's figures, read only when the page's cached part is rendered anew (once per period, language and
    rebuild): the template's fragment cache is keyed on the rebuild's time, so it is never stale."""

    def __init__(self, *, year: int, quarter: int):
        self.year, self.quarter = year, quarter

    @cached_property
    def institutions(self):
        return selectors.statistics_table(year=self.year, quarter=self.quarter, dimension=Dimension.INSTITUTION)

    @cached_property
    def ranked(self):
        return [row for row in self.institutions if row.figures.get("rank") is not None]

    @cached_property
    def has_demo(self) -> bool:
        return any(row.is_demo for row in self.institutions)

    @cached_property
    def national(self):
        return selectors.statistics_national(year=self.year, quarter=self.quarter)

    @cached_property
    def series(self):
        return selectors.statistics_series(year=self.year)

    @cached_property
    def regions(self):
        return selectors.statistics_table(year=self.year, quarter=self.quarter, dimension=Dimension.REGION)

    @cached_property
    def kinds(self):
        return selectors.statistics_table(year=self.year, quarter=self.quarter, dimension=Dimension.FACILITY_KIND)

    @cached_property
    def sectors(self):
        return selectors.statistics_sectors(year=self.year, quarter=self.quarter)


def statistics_page(request):
    """The public page: key figures, time series, ranking, tables per institution, region, kind and sector."""
    form, year, quarter = _period(request)
    if not year:
        return render(request, "reporting/statistics.html", {"form": form}, status=400)
    computed_at = selectors.statistics_computed_at(year=year)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "period_label": f"{quarter_label(quarter)} {year}" if quarter else str(year),
        "tables": StatisticsTables(year=year, quarter=quarter),
        "computed_at": computed_at,
        "cache_key": computed_at.isoformat() if computed_at else "none",
        "query": f"year={year}" + (f"&quarter={quarter}" if quarter else ""),
    }
    return render(request, "reporting/statistics.html", context)


def open_data_page(request):
    """What each field of the open data means, and the licence."""
    return render(
        request,
        "reporting/open_data.html",
        {
            "fields": [*fields.KEY_FIELDS.values(), *fields.FIELDS],
            "suppression_note": fields.SUPPRESSION_NOTE,
            "licence_name": fields.NLOD_NAME,
            "licence_url": fields.NLOD_URL_EN if translation.get_language() == "en" else fields.NLOD_URL,
            "year": selectors.last_year(),
        },
    )


def _download_rows(request, name: str):
    try:
        year, quarter = selectors.period_check(year=request.GET.get("year"), quarter=request.GET.get("quarter"))
    except DomainError as error:
        text = f"{error.field}: {error.message}"
        return None, HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    dimension, key = DOWNLOADS[name]
    rows = selectors.statistics_table(year=year, quarter=quarter, dimension=dimension)
    records = [fields.record(row, year=year, quarter=quarter, key=key) for row in rows]
    if dimension == Dimension.NATIONAL and not quarter:
        # The whole country's year, then its quarters: the time series of the page's chart.
        for number in (1, 2, 3, 4):
            rows = selectors.statistics_table(year=year, quarter=number, dimension=dimension)
            records += [fields.record(row, year=year, quarter=number, key=key) for row in rows]
    return (year, quarter, records), None


def _filename(name: str, year: int, quarter: int, extension: str) -> str:
    return f"labtorget-{name}-{year}{f'-q{quarter}' if quarter else ''}.{extension}"


def _licensed(response: HttpResponse) -> HttpResponse:
    response["Link"] = f'<{fields.NLOD_URL}>; rel="license"'
    return response


def statistics_csv(request, name: str):
    """The figures of one table as CSV (UTF-8, comma-separated, field names in the first row), under NLOD."""
    found, error = _download_rows(request, name)
    if error:
        return error
    year, quarter, records = found
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, year, quarter, "csv")}"'
    header = list(records[0]) if records else [DOWNLOADS[name][1], *(field.name for field in fields.FIELDS)]
    csv_write(response, [header, *([record[column] for column in header] for record in records)])
    return _licensed(response)


def statistics_json(request, name: str):
    """The same figures as JSON, with the licence and period."""
    found, error = _download_rows(request, name)
    if error:
        return error
    year, quarter, records = found
    body = {
        "licence": {"name": fields.NLOD_NAME, "url": fields.NLOD_URL},
        "publisher": "Labtorget",
        "year": year,
        "quarter": quarter or None,
        "hidden_figures": str(fields.SUPPRESSION_NOTE),
        "rows": SERIALIZERS[DOWNLOADS[name][1]](records, many=True).data,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, year, quarter, "json")}"'
    return _licensed(response)


# --- Usage reports of facilities and resources (managers, institution admins) -----------------------------------


def _usage_scope(request, kind: str, pk: int):
    """(facility, resource or None) of the report asked for: 404 when it does not exist or the user may not see the
    facility (a draft's is as a missing one), 403 unless the user may see its usage report."""
    if kind == "resource":
        resource = get_object_or_404(Resource.objects.select_related("facility__institution"), pk=pk)
        facility = resource.facility
    else:
        resource, facility = None, get_object_or_404(Facility.objects.select_related("institution"), pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, facility)
    require(policies.can_view_usage_report, request.user, facility)
    return facility, resource


def _usage_report_or_form(request, kind: str, pk: int):
    facility, resource = _usage_scope(request, kind, pk)
    form = YearForm(request.GET)
    if not form.is_valid():
        return None, form
    return usage.usage_report(facility=facility, resource=resource, year=form.cleaned_data["year"]), form


@login_required
def usage_report_page(request, kind: str, pk: int):
    report, form = _usage_report_or_form(request, kind, pk)
    if report is None:
        return render(request, "reporting/usage_report.html", {"form": form}, status=400)
    context = {
        "report": report,
        "form": form,
        "xlsx_url": reverse(f"reporting:{kind}_usage_xlsx", args=[pk]),
        "pdf_url": reverse(f"reporting:{kind}_usage_pdf", args=[pk]),
        "warning_percent": percent_text(report.warning_share),
        "alert_percent": percent_text(report.alert_share),
    }
    return render(request, "reporting/usage_report.html", context)


def _usage_filename(report, extension: str) -> str:
    subject = f"resource-{report.resource.pk}" if report.resource else f"facility-{report.facility.pk}"
    return f"usage-report-{subject}-{report.year}.{extension}"


@login_required
def usage_report_xlsx(request, kind: str, pk: int):
    report, form = _usage_report_or_form(request, kind, pk)
    if report is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        usage.usage_report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_usage_filename(report, "xlsx")}"'
    return response


@login_required
def usage_report_pdf(request, kind: str, pk: int):
    report, form = _usage_report_or_form(request, kind, pk)
    if report is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(usage.usage_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_usage_filename(report, "pdf")}"'
    return response
