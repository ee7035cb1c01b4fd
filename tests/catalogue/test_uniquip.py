import csv
import io

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import Facility
from catalogue.uniquip import COLUMNS
from tests.factories import ContactPersonFactory, FacilityFactory, InstitutionFactory, ResourceFactory


def _export(api_client) -> str:
    response = api_client.get("/api/v1/export/uniquip.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode()


@pytest.fixture
def exported_register(db):
    source = InstitutionFactory(slug="uib", name="Universitetet i Bergen")
    facility = FacilityFactory(
        institution=source,
        name="Genomikkplattformen",
        slug="uib-genomikk",
        description_nb='Sekvensering, «korte» og lange lesinger; komma, og "sitat".',
        keywords="sekvensering, NGS",
        campus="Haukeland",
        web_address="https://www.uib.no/genomikk",
        offers_rental=False,
        offers_service=True,
        offers_commissioned=True,
    )
    ContactPersonFactory(facility=facility, name="Kari Primær", email="kari@example.org", phone="+47 55 00 00 00")
    ContactPersonFactory(facility=facility, name="Ola Sekundær", email="ola@example.org", is_primary=False)
    ResourceFactory(facility=facility, name="NovaSeq 6000", description_nb="Høykapasitets sekvensator.")
    FacilityFactory(institution=source, status="draft", name="Hemmelig utkast")
    return facility


def test_export_has_the_uniquip_columns_in_order(exported_register, api_client):
    rows = list(csv.reader(io.StringIO(_export(api_client))))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["facility", "equipment"]
    by_column = dict(zip(COLUMNS, rows[1], strict=True))
    assert by_column["Contact Email"] == "kari@example.org"
    assert by_column["Secondary Contact Email"] == "ola@example.org"
    assert by_column["Service Level"] == "service;commissioned"
    assert "Hemmelig utkast" not in _export(api_client)


def test_round_trip_export_then_import(exported_register, api_client, tmp_path):
    path = tmp_path / "uniquip.csv"
    path.write_text(_export(api_client), encoding="utf-8")
    exported_register.delete()
    target = InstitutionFactory(slug="uib-ny", city="Bergen")

    call_command("import_uniquip", str(path), "--institution", str(target.pk), "--publish")

    imported = Facility.objects.get(slug="uib-genomikk")
    assert imported.institution == target and imported.is_published
    assert imported.name == "Genomikkplattformen"
    assert imported.description_nb == 'Sekvensering, «korte» og lange lesinger; komma, og "sitat".'
    assert imported.keywords == "sekvensering, NGS" and imported.campus == "Haukeland"
    assert imported.access_models == ["service", "commissioned"]
    assert [(c.name, c.email, c.is_primary) for c in imported.contacts.all()] == [
        ("Kari Primær", "kari@example.org", True),
        ("Ola Sekundær", "ola@example.org", False),
    ]
    assert [r.name for r in imported.resources.all()] == ["NovaSeq 6000"]
    # Importing the same file again updates instead of duplicating.
    call_command("import_uniquip", str(path), "--institution", "uib-ny")
    assert Facility.objects.filter(institution=target).count() == 1
    assert imported.resources.count() == 1 and imported.contacts.count() == 2


def test_a_bad_row_imports_nothing_and_every_error_is_reported(db, tmp_path, capsys):
    target = InstitutionFactory(slug="ntnu")
    FacilityFactory(slug="tatt", institution=InstitutionFactory())
    rows = [
        {"Type": "facility", "ID": "god", "Name": "God fasilitet", "Contact Email": "a@example.org"},
        {"Type": "facility", "ID": "tatt", "Name": "Annen institusjons", "Service Level": "rental;gratis"},
        {"Type": "equipment", "ID": "x/1", "Name": "", "Related Facility ID": "finnes-ikke"},
        {"Type": "rocket", "ID": "r", "Name": "R", "Contact Email": "not-an-email"},
    ]
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_uniquip", str(path), "--institution", "ntnu")

    errors = capsys.readouterr().err  # in Bokmål, the default language
    assert "Rad 3, kolonne «ID»: tilhører en fasilitet ved en annen institusjon." in errors
    assert "Rad 4, kolonne «Name»" in errors and "Rad 4, kolonne «Related Facility ID»" in errors
    assert "Rad 5, kolonne «Type»" in errors and "Rad 5, kolonne «Contact Email»" in errors
    assert "Rad 3, kolonne «Service Level»: «gratis»" in errors
    assert "Rad 2" not in errors
    assert not Facility.objects.filter(institution=target).exists()


def test_unknown_institution_is_a_clear_error(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No institution"):
        call_command("import_uniquip", str(path), "--institution", "finnes-ikke")
