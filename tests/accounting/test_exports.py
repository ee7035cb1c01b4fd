"""Text that leaves in files (core.exports): no control characters in any XML or CSV, and no CSV cell a
spreadsheet would run as a formula, in every CSV export (the invoice basis, the revenue split, the Uniquip
register); the Uniquip import refuses such cells by row and column."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue.choices import InstitutionRoleKind
from catalogue.uniquip import COLUMNS
from core.exports import csv_cell, csv_cell_read, formula_start, text_clean
from tests.booking.factories import BookingFactory
from tests.factories import (
    ContactPersonFactory,
    FacilityFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    ResourceFactory,
)
from tests.helpers import oslo

D = Decimal


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()

# (the text, the cell written): anything a spreadsheet would run starts with an apostrophe.
CELLS = [
    ("=HYPERLINK(\"http://x\",\"klikk\")", "'=HYPERLINK(\"http://x\",\"klikk\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("+47 22 85 50 50", "'+47 22 85 50 50"),  # harmless, but protected like every cell starting with +
    ("Eksempel AS", "Eksempel AS"),
    ("Konfokal = bra", "Konfokal = bra"),  # only the first character matters
    (" =1+1", " =1+1"),  # a leading space: a spreadsheet reads text
    ("1250,00", "1250,00"),
    ("", ""),
    (None, ""),
    (12, 12),  # numbers cannot carry a formula
    (D("-5.00"), D("-5.00")),
    ("Eks\x00em\x01pel\x1f AS\x7f\x85", "Eksempel AS"),  # control characters go
    ("=\x01cmd", "'=cmd"),
]


@pytest.mark.parametrize("value, written", CELLS)
def test_csv_cells_are_neutralised_and_cleaned(value, written):
    assert csv_cell(value) == written


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("Helse\x01 Bergen\x0b HF", "Helse Bergen HF"),
        ("linje 1\nlinje 2\tmed tab\r\n", "linje 1\nlinje 2\tmed tab\r\n"),  # running text keeps its breaks
        ("\ud800Ø\ufffe\uffff", "Ø"),  # a lone surrogate cannot be written as UTF-8
        ("Ærlig ÆØÅ æøå – “sitat” €", "Ærlig ÆØÅ æøå – “sitat” €"),
    ],
)
def test_control_characters_are_removed_and_everything_else_kept(text, cleaned):
    assert text_clean(text) == cleaned


@pytest.mark.parametrize(
    "cell, refused",
    [
        ("=1+1", True), ("+cmd|'/C calc'!A0", True), ("-2+3+cmd|'/C calc'!A0", True), ("@SUM(A1)", True),
        ("\tTekst", True), ("\rTekst", True), ("  =1+1", True),
        ("+47 22 85 50 50", False), ("-12,5", False), ("(+47) 900 00 000", False), ("Tekst", False), ("", False),
    ],
)  # fmt: skip
def test_imported_cells_that_start_as_formulas_are_recognised(cell, refused):
    assert formula_start(cell) is refused


def test_an_exported_telephone_number_imports_as_it_was():
    assert csv_cell_read(csv_cell("+47 22 85 50 50")) == "+47 22 85 50 50"
    assert csv_cell_read(csv_cell("=1+1")) == "'=1+1"  # a formula stays text


# --- Every CSV export ------------------------------------------------------------------------------------------

HOSTILE = "=HYPERLINK(\"http://evil.example\",\"Se her\")"


@pytest.fixture
def hostile_accounts(db):
    institution = InstitutionFactory(name="Universitetet i Bergen", org_number="874789542")
    facility = FacilityFactory(institution=institution, name="+Bildediagnostikk")
    resource = ResourceFactory(facility=facility, name="@Mikroskop\x01")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), payer_name=HOSTILE)
    admin = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN).user
    return institution, admin


def cells(response) -> list[str]:
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


@pytest.mark.parametrize("name", ["institution_invoice_basis_csv", "institution_revenue_csv"])
def test_accounting_csv_exports_start_no_cell_as_a_formula(hostile_accounts, client, name):
    institution, admin = hostile_accounts
    client.force_login(admin)
    response = client.get(reverse(f"accounting:{name}", args=[institution.pk]), {"from": "2026-03-01",
                          "to": "2026-03-31", "year": "2026"})  # fmt: skip
    assert response.status_code == 200
    written = cells(response)
    assert not [cell for cell in written if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [cell for cell in written if any(ord(c) < 32 and c not in "\t\n\r" for c in cell)]
    assert "'+Bildediagnostikk" in written
    if name == "institution_invoice_basis_csv":
        assert f"'{HOSTILE}" in written and "'@Mikroskop" in written


def test_the_uniquip_export_starts_no_cell_as_a_formula(db, api_client):
    facility = FacilityFactory(name="=1+1", description_nb="-Sekvensering\x07")
    ContactPersonFactory(facility=facility, name="@Kari", phone="+47 55 00 00 00")
    response = api_client.get("/api/v1/export/uniquip.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    row = rows[0]
    assert (row["Name"], row["Description"], row["Contact Name"]) == ("'=1+1", "'-Sekvensering", "'@Kari")
    assert row["Contact Telephone"] == "'+47 55 00 00 00"


def write_uniquip(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)


def test_the_uniquip_import_refuses_formula_cells_naming_row_and_column(db, tmp_path, capsys):
    InstitutionFactory(slug="ntnu")
    path = tmp_path / "formulas.csv"
    write_uniquip(
        path,
        [
            {"Type": "facility", "ID": "ok", "Name": "God", "Contact Email": "a@example.org",
             "Contact Telephone": "+47 73 59 50 00"},
            {"Type": "facility", "ID": "f", "Name": "=HYPERLINK(\"http://x\")", "Contact Email": "b@example.org"},
            {"Type": "facility", "ID": "g", "Name": "G", "Description": "@SUM(1)", "Technique": "\tNGS"},
        ],
    )  # fmt: skip
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_uniquip", str(path), "--institution", "ntnu")
    errors = capsys.readouterr().err
    assert "Rad 3, kolonne «Name»" in errors
    assert "Rad 4, kolonne «Description»" in errors and "Rad 4, kolonne «Technique»" in errors
    assert "Rad 2" not in errors  # a telephone number starting with + is not a formula


def test_a_uniquip_file_exported_here_imports_with_its_telephone_numbers(db, api_client, tmp_path):
    facility = FacilityFactory(slug="lab-1")
    ContactPersonFactory(facility=facility, email="kari@example.org", phone="+47 55 00 00 00")
    path = tmp_path / "export.csv"
    path.write_text(api_client.get("/api/v1/export/uniquip.csv").content.decode(), encoding="utf-8")
    facility.delete()
    target = InstitutionFactory(slug="ny")
    call_command("import_uniquip", str(path), "--institution", str(target.pk))
    assert target.facilities.get().contacts.get().phone == "+47 55 00 00 00"
