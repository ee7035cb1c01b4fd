"""The Uniquip CSV exchange format (equipment.data.ac.uk): export of the register and import of a file.

One row per facility (Type `facility`) and one per resource (Type `equipment`, with Related Facility ID).
Labtorget's mapping: ID is the facility slug (`<slug>/<resource id>` for equipment), Technique holds the
keywords, Location the city, Department the institution, Site Location the campus and Service Level the
access models offered (codes separated by `;`).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from catalogue import selectors, services
from catalogue.choices import AccessModel, FacilityKind, ResourceKind
from catalogue.models import Facility, Institution, Resource
from core.exports import csv_cell, csv_cell_read, formula_start

COLUMNS = [
    "Type",
    "ID",
    "Name",
    "Description",
    "Related Facility ID",
    "Technique",
    "Location",
    "Contact Name",
    "Contact Telephone",
    "Contact URL",
    "Contact Email",
    "Secondary Contact Name",
    "Secondary Contact Telephone",
    "Secondary Contact URL",
    "Secondary Contact Email",
    "Photo",
    "Department",
    "Site Location",
    "Building",
    "Service Level",
    "Web Address",
]


def export_rows():
    """Rows (dicts by column) for every published facility and its active resources."""
    facilities = selectors.published_facilities().prefetch_related("resources").order_by("institution__name", "name")
    for facility in facilities:
        contacts = list(facility.contacts.all())
        primary = next((c for c in contacts if c.is_primary), None)
        secondary = next((c for c in contacts if not c.is_primary), None)
        yield {
            "Type": "facility",
            "ID": facility.slug,
            "Name": facility.name,
            "Description": facility.description_nb,
            "Related Facility ID": "",
            "Technique": facility.keywords,
            "Location": facility.city,
            "Contact Name": primary.name if primary else "",
            "Contact Telephone": primary.phone if primary else "",
            "Contact URL": "",
            "Contact Email": primary.email if primary else "",
            "Secondary Contact Name": secondary.name if secondary else "",
            "Secondary Contact Telephone": secondary.phone if secondary else "",
            "Secondary Contact URL": "",
            "Secondary Contact Email": secondary.email if secondary else "",
            "Photo": "",
            "Department": facility.institution.name,
            "Site Location": facility.campus,
            "Building": "",
            "Service Level": ";".join(facility.access_models),
            "Web Address": facility.web_address,
        }
        for resource in facility.resources.all():
            if not resource.is_active:
                continue
            yield {
                **dict.fromkeys(COLUMNS, ""),
                "Type": "equipment",
                "ID": f"{facility.slug}/{resource.pk}",
                "Name": resource.name,
                "Description": resource.description_nb,
                "Related Facility ID": facility.slug,
                "Location": facility.city,
                "Contact Name": primary.name if primary else "",
                "Contact Telephone": primary.phone if primary else "",
                "Contact Email": primary.email if primary else "",
                "Department": facility.institution.name,
                "Site Location": facility.campus,
                "Web Address": facility.web_address,
            }


def write_csv(stream) -> None:
    """The register as a Uniquip file; every cell through core.exports.csv_cell (no control characters, and a
    text a spreadsheet would run as a formula, such as a telephone number starting with +, gets an apostrophe)."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    for row in export_rows():
        writer.writerow({column: csv_cell(value) for column, value in row.items()})


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        return _("Row %(line)s, column “%(column)s”: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class UniquipImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class ImportResult:
    facilities_created: int = 0
    facilities_updated: int = 0
    resources_created: int = 0
    resources_updated: int = 0
    lines: list[int] = field(default_factory=list)


def _check_row(line: int, row: dict, institution: Institution, facility_ids: set[str]) -> list[RowError]:
    errors = []
    for column in COLUMNS:
        if formula_start(row.get(column) or ""):
            errors.append(
                RowError(
                    line,
                    column,
                    _(
                        "starts with “=”, “+”, “-”, “@”, a tab or a line break, which a spreadsheet runs as a "
                        "formula; remove that character."
                    ),
                )
            )
    kind = (row.get("Type") or "").strip().lower()
    if kind not in {"facility", "equipment"}:
        errors.append(RowError(line, "Type", _("must be “facility” or “equipment”.")))
    if not (row.get("ID") or "").strip():
        errors.append(RowError(line, "ID", _("is required.")))
    if not (row.get("Name") or "").strip():
        errors.append(RowError(line, "Name", _("is required.")))
    for column in ("Contact Email", "Secondary Contact Email"):
        value = (row.get(column) or "").strip()
        if value:
            try:
                EmailValidator()(value)
            except ValidationError:
                errors.append(RowError(line, column, _("is not a valid e-mail address.")))
    web = (row.get("Web Address") or "").strip()
    if web:
        try:
            URLValidator()(web)
        except ValidationError:
            errors.append(RowError(line, "Web Address", _("is not a valid web address.")))
    if kind == "facility":
        slug = (row.get("ID") or "").strip()
        other = Facility.objects.filter(slug=slug).exclude(institution=institution).exists()
        if other:
            errors.append(RowError(line, "ID", _("belongs to a facility of another institution.")))
        if (row.get("Contact Name") or "").strip() and not (row.get("Contact Email") or "").strip():
            errors.append(RowError(line, "Contact Email", _("is required when a contact name is given.")))
        valid = {model.value for model in AccessModel}
        for code in filter(None, (c.strip() for c in (row.get("Service Level") or "").split(";"))):
            if code not in valid:
                errors.append(
                    RowError(
                        line,
                        "Service Level",
                        _("“%(code)s” is not one of %(valid)s.") % {"code": code, "valid": ", ".join(sorted(valid))},
                    )
                )
    if kind == "equipment":
        related = (row.get("Related Facility ID") or "").strip()
        if not related:
            errors.append(RowError(line, "Related Facility ID", _("is required for equipment.")))
        elif (
            related not in facility_ids and not Facility.objects.filter(slug=related, institution=institution).exists()
        ):
            errors.append(
                RowError(
                    line,
                    "Related Facility ID",
                    _("no facility “%(id)s” in the file or the institution.") % {"id": related},
                )
            )
    return errors


def read_rows(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in ("Type", "ID", "Name") if column not in (reader.fieldnames or [])]
    if missing:
        raise UniquipImportError([RowError(1, column, _("the column is missing.")) for column in missing])
    # A telephone number the export protected from spreadsheets ('+47 ...) is read back without the apostrophe.
    return [
        {column: csv_cell_read(value) if isinstance(value, str) else value for column, value in row.items()}
        for row in reader
    ]


@transaction.atomic
def uniquip_rows_import(*, institution: Institution, rows: list[dict], actor, publish: bool = False) -> ImportResult:
    """Validate every row first; import nothing unless all rows are good. Facilities are matched by ID (slug).
    Each change goes through the catalogue's services, for `actor` (core.policies.OPERATOR from the command)."""
    facility_ids = {
        (row.get("ID") or "").strip() for row in rows if (row.get("Type") or "").strip().lower() == "facility"
    }
    errors = []
    for index, row in enumerate(rows, start=2):  # line 1 is the header
        errors.extend(_check_row(index, row, institution, facility_ids))
    if errors:
        raise UniquipImportError(errors)

    result = ImportResult()
    by_slug: dict[str, Facility] = {}
    for row in rows:
        if row["Type"].strip().lower() != "facility":
            continue
        slug = row["ID"].strip()
        access = {c.strip() for c in (row.get("Service Level") or "").split(";") if c.strip()}
        fields = {
            "name": row["Name"].strip(),
            "description_nb": (row.get("Description") or "").strip(),
            "keywords": (row.get("Technique") or "").strip(),
            "city": (row.get("Location") or "").strip() or institution.city,
            "campus": (row.get("Site Location") or "").strip(),
            "web_address": (row.get("Web Address") or "").strip(),
            **{field_name: model.value in access for model, field_name in Facility.ACCESS_MODEL_FIELDS.items()},
        }
        facility = Facility.objects.filter(slug=slug, institution=institution).first()
        if facility:
            name = fields.pop("name")
            facility = services.facility_update(facility=facility, actor=actor, name=name, **fields)
            result.facilities_updated += 1
        else:
            name = fields.pop("name")
            facility = services.facility_create(
                institution=institution, actor=actor, name=name, kind=FacilityKind.CORE_FACILITY, **fields
            )
            Facility.objects.filter(pk=facility.pk).update(slug=slug)
            facility.slug = slug
            result.facilities_created += 1
        _import_contact(facility, row, "Contact", primary=True, actor=actor)
        _import_contact(facility, row, "Secondary Contact", primary=False, actor=actor)
        by_slug[slug] = facility
        if publish and facility.contacts.filter(is_primary=True).exists():
            services.facility_publish(facility=facility, actor=actor)
    for row in rows:
        if row["Type"].strip().lower() != "equipment":
            continue
        related = row["Related Facility ID"].strip()
        facility = by_slug.get(related) or Facility.objects.get(slug=related, institution=institution)
        name = row["Name"].strip()
        description = (row.get("Description") or "").strip()
        resource = Resource.objects.filter(facility=facility, name=name).first()
        if resource:
            services.resource_update(resource=resource, actor=actor, description_nb=description)
            result.resources_updated += 1
        else:
            services.resource_create(
                facility=facility, actor=actor, name=name, description_nb=description, kind=ResourceKind.INSTRUMENT
            )
            result.resources_created += 1
    return result


def _import_contact(facility: Facility, row: dict, prefix: str, *, primary: bool, actor) -> None:
    email = (row.get(f"{prefix} Email") or "").strip()
    if not email:
        return
    fields = {
        "name": (row.get(f"{prefix} Name") or "").strip() or email,
        "phone": (row.get(f"{prefix} Telephone") or "").strip(),
    }
    existing = facility.contacts.filter(email__iexact=email).first()
    if existing:
        is_primary = primary or existing.is_primary
        services.contact_update(contact=existing, actor=actor, is_primary=is_primary, **fields)
    else:
        services.contact_create(facility=facility, actor=actor, email=email, is_primary=primary, **fields)
