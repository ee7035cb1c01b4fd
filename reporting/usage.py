"""The yearly usage report of one facility or resource, for its managers and the funders they report to (the
Research Council): users by category, hours and bookings, economic use against the 20 % state-aid line,
revenue by activity and the companies served. Read live from the bookings (one facility, one year: a few
queries whatever its size); nothing here is public, so nothing is hidden. Exports: XLSX and PDF.
"""

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db.models import Count, DurationField, F, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounting import selectors as accounting_selectors
from accounts.choices import OrganisationKind
from booking.choices import Activity, BookingStatus
from booking.models import Booking
from catalogue.models import Facility, Resource
from core.formatting import date_text
from reporting import nace

CATEGORY_LABELS = {
    "internal": gettext_lazy("Internal users (own institution)"),
    "other_public": gettext_lazy("Other public institutions"),
    "other": gettext_lazy("Other external users (clusters, organisations, persons)"),
}
ZERO = Decimal("0.00")
# The PDF's stylesheet: a file beside this module, so that the template holds no inline style (CSP).
PDF_STYLESHEET = Path(__file__).with_name("usage_report_pdf.css")


@dataclass
class UsageLine:
    """One category of users (or one sector of companies): distinct users, bookings and hours."""

    key: str
    label: str
    users: set = field(default_factory=set)
    bookings: int = 0
    hours: Decimal = ZERO

    @property
    def user_count(self) -> int:
        return len(self.users)


@dataclass
class CompanyLine:
    name: str
    org_number: str
    sector: str
    bookings: int = 0
    hours: Decimal = ZERO
    revenue: Decimal = ZERO


@dataclass(frozen=True)
class UsageReport:
    facility: Facility
    resource: Resource | None
    year: int
    categories: list[UsageLine]
    sectors: list[UsageLine]
    total_bookings: int
    total_hours: Decimal
    state_aid: list  # accounting.selectors.StateAidShare per resource
    warning_share: Decimal
    alert_share: Decimal
    revenue_by_activity: list[tuple[str, int, Decimal]]  # (activity label, bookings, net amount)
    companies: list[CompanyLine]

    @property
    def title(self) -> str:
        subject = f"{self.facility.name} – {self.resource.name}" if self.resource else self.facility.name
        return _("Usage report %(year)s: %(subject)s") % {"year": self.year, "subject": subject}

    @property
    def company_bookings(self) -> int:
        return sum(line.bookings for line in self.sectors)

    @property
    def company_hours(self) -> Decimal:
        return sum((line.hours for line in self.sectors), ZERO)


def _hours(duration) -> Decimal:
    return (Decimal((duration or datetime.timedelta(0)).total_seconds()) / 3600).quantize(Decimal("0.01"))


def usage_report(*, facility: Facility, resource: Resource | None = None, year: int) -> UsageReport:
    """The report of `facility` (all its resources) or of one of its resources, for `year` (Europe/Oslo)."""
    start, end = accounting_selectors.year_bounds(year)
    resources = Resource.objects.filter(pk=resource.pk) if resource else Resource.objects.filter(facility=facility)
    bookings = Booking.objects.filter(
        resource__in=resources, status=BookingStatus.COMPLETED, start__gte=start, start__lt=end
    )
    rows = (
        bookings.values(
            "user_id",
            "payer_institution_id",
            "payer_organisation_id",
            "payer_organisation__kind",
            "payer_organisation__name",
            "payer_organisation__org_number",
            "payer_organisation__nace_code",
        )
        .annotate(count=Count("id"), duration=Sum(F("end") - F("start"), output_field=DurationField()))
        .order_by()
    )
    categories = {key: UsageLine(key, str(label)) for key, label in CATEGORY_LABELS.items()}
    sectors: dict[str, UsageLine] = {}
    companies: dict[int, CompanyLine] = {}
    for row in rows:
        hours = _hours(row["duration"])
        if row["payer_organisation__kind"] == OrganisationKind.COMPANY:
            section = nace.section_of(row["payer_organisation__nace_code"])
            line = sectors.setdefault(section, UsageLine(section, f"{section} {nace.section_label(section)}"))
            company = companies.setdefault(
                row["payer_organisation_id"],
                CompanyLine(row["payer_organisation__name"], row["payer_organisation__org_number"] or "", line.label),
            )
            company.bookings += row["count"]
            company.hours += hours
        elif row["payer_institution_id"] == facility.institution_id:
            line = categories["internal"]
        elif row["payer_institution_id"]:
            line = categories["other_public"]
        else:
            line = categories["other"]
        line.users.add(row["user_id"])
        line.bookings += row["count"]
        line.hours += hours
    revenue_rows = (
        accounting_selectors.chargeable_bookings(facility_ids=[facility.id], start=start, end=end)
        .filter(resource__in=resources)
        .values("activity", "payer_organisation_id", "payer_organisation__kind")
        .annotate(count=Count("id"), amount=Sum("net"))
        .order_by()
    )
    by_activity: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for row in revenue_rows:
        by_activity[row["activity"]][0] += row["count"]
        by_activity[row["activity"]][1] += row["amount"] or ZERO
        if row["payer_organisation__kind"] == OrganisationKind.COMPANY and row["payer_organisation_id"] in companies:
            companies[row["payer_organisation_id"]].revenue += row["amount"] or ZERO
    warning, alert = accounting_selectors.thresholds()
    every = [*categories.values(), *sectors.values()]
    return UsageReport(
        facility=facility,
        resource=resource,
        year=year,
        categories=list(categories.values()),
        sectors=[sectors[section] for section in nace.ORDER if section in sectors],
        total_bookings=sum(line.bookings for line in every),
        total_hours=sum((line.hours for line in every), ZERO),
        state_aid=accounting_selectors.state_aid_shares(resources=resources, year=year),
        warning_share=warning,
        alert_share=alert,
        revenue_by_activity=[
            (str(Activity(activity).label), *by_activity[activity])
            for activity in (Activity.ECONOMIC, Activity.NON_ECONOMIC)
        ],
        companies=sorted(companies.values(), key=lambda company: (company.name.lower(), company.org_number)),
    )


# --- Exports -----------------------------------------------------------------------------------------------------


def usage_report_xlsx(report: UsageReport) -> bytes:
    """The report as an XLSX workbook: one sheet per part, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list, rows: list, first: bool = False):
        worksheet = workbook.active if first else workbook.create_sheet()
        worksheet.title = title[:31]
        worksheet.append([report.title])
        worksheet["A1"].font = bold
        worksheet.append([])
        worksheet.append(header)
        for cell in worksheet[3]:
            cell.font = bold
        for row in rows:
            worksheet.append(list(row))
        for column in worksheet.columns:
            worksheet.column_dimensions[column[0].column_letter].width = max(
                12, *(len(str(cell.value or "")) + 2 for cell in column[2:])
            )

    sheet(
        _("Users"),
        [_("Users"), _("Distinct users"), _("Bookings"), _("Hours")],
        [
            *[[line.label, line.user_count, line.bookings, line.hours] for line in report.categories],
            *[
                [_("Companies: %(sector)s") % {"sector": line.label}, line.user_count, line.bookings, line.hours]
                for line in report.sectors
            ],
            [_("Total"), None, report.total_bookings, report.total_hours],
        ],
        first=True,
    )
    sheet(
        _("State aid"),
        [_("Resource"), _("Economic hours"), _("Capacity hours"), _("Share"), _("Level")],
        [
            [share.resource.name, share.economic_hours, share.capacity_hours, share.share, str(share.level_label)]
            for share in report.state_aid
        ],
    )
    sheet(
        _("Revenue"),
        [_("Activity"), _("Bookings"), _("Net amount (NOK)")],
        [list(row) for row in report.revenue_by_activity],
    )
    sheet(
        _("Companies"),
        [_("Company"), _("Organisation number"), _("Sector"), _("Bookings"), _("Hours"), _("Revenue (NOK)")],
        [[c.name, c.org_number, c.sector, c.bookings, c.hours, c.revenue] for c in report.companies],
    )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def usage_report_pdf(report: UsageReport) -> bytes:
    """The report as an A4 PDF (WeasyPrint, as the agreements' PDFs)."""
    import weasyprint  # imported here: loading Pango costs time that only this path needs

    html = render_to_string(
        "reporting/usage_report_pdf.html",
        {
            "report": report,
            "language": translation.get_language() or "nb",
            "generated": date_text(timezone.localdate()),
            "warning_percent": accounting_selectors.percent_text(report.warning_share),
            "alert_percent": accounting_selectors.percent_text(report.alert_share),
        },
    )
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(filename=str(PDF_STYLESHEET))])
