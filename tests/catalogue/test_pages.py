import datetime
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import ContactPerson
from core import navigation
from tests.factories import (
    CategoryFactory,
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    ResourceFactory,
)


def test_front_page_has_one_search_box(db, client):
    html = client.get(reverse("catalogue:home")).content.decode()
    assert html.count('type="search"') == 1
    assert 'lang="nb"' in html  # Bokmål by default


def test_language_switch_to_english(db, client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("catalogue:home")})
    assert response.status_code == 302
    html = client.get(reverse("catalogue:home")).content.decode()
    assert 'lang="en"' in html and "Find research infrastructure in Norway" in html


def test_facility_page_shows_the_primary_contact_resources_and_access(db, client):
    facility = FacilityFactory(name="Proteomikk", offers_commissioned=True)
    ContactPersonFactory(facility=facility, name="Kari Primær", email="kari@example.org", phone="+47 22 85 50 50")
    ContactPersonFactory(facility=facility, name="Ola Annen", is_primary=False)
    ResourceFactory(facility=facility, name="Orbitrap Exploris", bookable=True)
    html = client.get(reverse("catalogue:facility", args=[facility.slug]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    contact_section = html[html.index('class="contact-primary"') :][:800]
    assert "Kari Primær" in contact_section and "mailto:kari@example.org" in contact_section
    assert "tel:+4722855050" in contact_section
    assert "Orbitrap Exploris" in html and "Commissioned research" in html and "Ola Annen" in html
    assert "Last verified" in html


def test_json_ld_is_valid_and_cannot_break_out_of_its_script(db, client):
    facility = FacilityFactory(name="Lab </script><script>alert(1)</script> & co")
    ContactPersonFactory(facility=facility, email="kari@example.org")
    html = client.get(reverse("catalogue:facility", args=[facility.slug])).content.decode()
    assert "<script>alert(1)" not in html
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(payload)
    assert data["@context"] == "https://schema.org" and data["name"] == facility.name
    assert data["contactPoint"]["email"] == "kari@example.org"


def test_institution_page_tells_companies_how_to_get_access(db, client):
    institution = InstitutionFactory(industry_access_nb="Kontakt Inven2 for avtaler.")
    FacilityFactory(institution=institution, name="Synlig")
    FacilityFactory(institution=institution, name="Skjult", status="draft")
    html = client.get(reverse("catalogue:institution", args=[institution.slug])).content.decode()
    assert "Kontakt Inven2 for avtaler." in html and "Synlig" in html and "Skjult" not in html
    assert institution.name in client.get(reverse("catalogue:institution_list")).content.decode()


def test_demo_banner_only_with_demo_data(db, client):
    assert "demo-banner" not in client.get(reverse("catalogue:home")).content.decode()
    InstitutionFactory(is_demo=True)
    assert "demo-banner" in client.get(reverse("catalogue:home")).content.decode()


def test_manager_adds_contact_and_resource_then_publishes(db, client):
    facility = FacilityFactory(status="draft")
    client.force_login(FacilityManagerFactory(facility=facility).user)
    refused = client.post(reverse("catalogue:facility_publish", args=[facility.slug]), follow=True)
    assert refused.status_code == 200
    facility.refresh_from_db()
    assert not facility.is_published
    client.post(
        reverse("catalogue:contact_create", args=[facility.slug]),
        {"name": "Nina Ny", "email": "nina@example.org", "phone": "", "role": ""},
    )
    assert ContactPerson.objects.get(facility=facility).is_primary  # the first contact becomes primary
    client.post(
        reverse("catalogue:resource_create", args=[facility.slug]),
        {"kind": "room", "name": "Renrom", "bookable": "on", "is_active": "on"},
    )
    assert facility.resources.get().name == "Renrom"
    client.post(reverse("catalogue:facility_publish", args=[facility.slug]))
    facility.refresh_from_db()
    assert facility.is_published


def test_manage_page_shows_field_errors_linked_to_help_text(db, client):
    facility = FacilityFactory()
    client.force_login(FacilityManagerFactory(facility=facility).user)
    response = client.post(
        reverse("catalogue:facility_manage", args=[facility.slug]), {"name": "", "kind": facility.kind, "city": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors["name"]
    assert 'aria-describedby="id_keywords_helptext"' in html and 'id="id_keywords_helptext"' in html


def test_manage_form_labels_start_with_a_capital_and_checkboxes_sit_beside_their_label(db, client):
    facility = FacilityFactory()
    client.force_login(FacilityManagerFactory(facility=facility).user)
    html = client.get(reverse("catalogue:facility_manage", args=[facility.slug])).content.decode()
    assert '<label for="id_web_address">Nettadresse:</label>' in html
    assert "<legend>Fagområder</legend>" in html
    assert re.search(r'<span class="checkbox-row"><input type="checkbox" name="open_to_industry"[^>]*> <label', html)


def test_dashboard_requires_login_and_lists_managed_facilities(db, client):
    assert client.get(reverse("catalogue:dashboard")).status_code == 302
    facility = FacilityFactory(name="Min fasilitet")
    FacilityFactory(name="Andres fasilitet")
    client.force_login(FacilityManagerFactory(facility=facility).user)
    html = client.get(reverse("catalogue:dashboard")).content.decode()
    assert "Min fasilitet" in html and "Andres fasilitet" not in html


def test_search_page_costs_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    institution = InstitutionFactory()
    category = CategoryFactory()

    def add(count):
        for facility in FacilityFactory.create_batch(count, institution=institution):
            facility.categories.add(category)
            ContactPersonFactory(facility=facility)

    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalogue:search"))
    add(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("catalogue:search"))
    assert len(response.context["page"].object_list) == 20


def test_other_apps_panels_are_rendered_on_the_facility_page(db, client):
    seen = []
    panel = navigation.Panel(template_name="catalogue/tests/panel.html", build=lambda request, obj: seen.append(obj))
    facility = FacilityFactory()
    resource = ResourceFactory(facility=facility)
    navigation.register_panel(navigation.FACILITY_PAGE, panel)
    navigation.register_panel(navigation.RESOURCE_ROW, panel)
    try:
        assert client.get(reverse("catalogue:facility", args=[facility.slug])).status_code == 200
    finally:
        navigation._panels[navigation.FACILITY_PAGE].remove(panel)
        navigation._panels[navigation.RESOURCE_ROW].remove(panel)
    assert seen == [facility, resource]


def test_last_verified_date_is_written_the_readers_way(db, client):
    facility = FacilityFactory(last_verified=datetime.date(2026, 4, 6))
    url = reverse("catalogue:facility", args=[facility.slug])
    assert "6. apr. 2026" in client.get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    client.cookies["django_language"] = "en"
    assert "6 Apr 2026" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
