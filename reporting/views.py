"""The public statistics pages (/statistikk/), their downloads, and the usage reports for managers.

Thin: parse the period, call the selectors, render. The figures are read from the published aggregates."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

from core.errors import DomainError
from core.exports import csv_write
from reporting import fields, selectors
from reporting.api.serializers import SERIALIZERS
from reporting.choices import Dimension
from reporting.forms import PeriodForm, quarter_label

DOWNLOADS = {
    "institutions": (Dimension.INSTITUTION, "institution"),
    "regions": (Dimension.REGION, "region"),
    "kinds": (Dimension.FACILITY_KIND, "kind"),
}


def _period(request) -> tuple[PeriodForm, int, int]:
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, 0, 0
    data = form.cleaned_data if request.GET else {}
    return form, data.get("year") or selectors.last_year(), data.get("quarter") or 0


def statistics_page(request):
    """The public page: key figures, time series, ranking, tables per institution, region, kind and sector."""
    form, year, quarter = _period(request)
    if not year:
        return render(request, "reporting/statistics.html", {"form": form}, status=400)
    institutions = selectors.statistics_table(year=year, quarter=quarter, dimension=Dimension.INSTITUTION)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "period_label": f"{quarter_label(quarter)} {year}" if quarter else str(year),
        "national": selectors.statistics_national(year=year, quarter=quarter),
        "series": selectors.statistics_series(year=year),
        "institutions": institutions,
        "ranked": [row for row in institutions if row.figures.get("rank") is not None],
        "regions": selectors.statistics_table(year=year, quarter=quarter, dimension=Dimension.REGION),
        "kinds": selectors.statistics_table(year=year, quarter=quarter, dimension=Dimension.FACILITY_KIND),
        "sectors": selectors.statistics_sectors(year=year, quarter=quarter),
        "computed_at": selectors.statistics_computed_at(year=year),
        "has_demo": any(row.is_demo for row in institutions),
        "query": f"year={year}" + (f"&quarter={quarter}" if quarter else ""),
    }
    return render(request, "reporting/statistics.html", context)


def open_data_page(request):
    """What each field of the open data means, and the licence."""
    return render(
        request,
        "reporting/open_data.html",
        {
            "fields": [fields.KEY_FIELDS["institution"], fields.KEY_FIELDS["region"], *fields.FIELDS],
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
