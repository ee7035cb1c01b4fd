"""Who may do what, asked through the page and the API alike: role x action."""

import pytest
from django.urls import reverse

from catalogue.choices import PublicationStatus
from catalogue.models import Facility

ROLES = [
    "anonymous",
    "company",
    "academic",
    "manager_this",
    "manager_other",
    "admin_this",
    "admin_other",
    "platform_admin",
]
KEEPERS = {"manager_this", "admin_this", "platform_admin"}
INSTITUTION_ADMINS = {"admin_this", "platform_admin"}
DENIED = {401, 403, 404}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _api(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize("role", ROLES)
def test_view_draft(role, world, client, api_client):
    draft, user = world["draft"], world["users"][role]
    page = _client(client, user).get(reverse("catalogue:facility", args=[draft.slug]))
    api = _api(api_client, user).get(f"/api/v1/facilities/{draft.pk}/")
    listed = {row["id"] for row in api_client.get("/api/v1/facilities/").json()["results"]}
    if role in KEEPERS:
        assert page.status_code == 200 and api.status_code == 200
        assert draft.pk in listed
    else:
        assert page.status_code == 404 and api.status_code == 404
        assert draft.pk not in listed


@pytest.mark.parametrize("role", ROLES)
def test_edit_facility(role, world, client, api_client):
    facility, user = world["published"], world["users"][role]
    page = _client(client, user).post(
        reverse("catalogue:facility_manage", args=[facility.slug]),
        {"name": "Nytt navn fra siden", "kind": facility.kind, "city": "Oslo", "open_to_industry": "on"},
    )
    facility.refresh_from_db()
    if role in KEEPERS:
        assert page.status_code == 302
        assert facility.name == "Nytt navn fra siden"
    else:
        assert page.status_code in DENIED | {302} and facility.name != "Nytt navn fra siden"
        if role != "anonymous":
            assert page.status_code == 403

    api = _api(api_client, user).patch(
        f"/api/v1/facilities/{facility.pk}/", {"name": "Nytt navn fra API"}, format="json"
    )
    facility.refresh_from_db()
    if role in KEEPERS:
        assert api.status_code == 200, api.content
        assert facility.name == "Nytt navn fra API"
    else:
        assert api.status_code in DENIED
        assert facility.name != "Nytt navn fra API"


@pytest.mark.parametrize("role", ROLES)
def test_publish(role, world, client, api_client):
    draft, user = world["draft"], world["users"][role]
    page = _client(client, user).post(reverse("catalogue:facility_publish", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.is_published == (role in KEEPERS)
    if role not in KEEPERS:
        assert page.status_code in DENIED | {302}  # anonymous is sent to log in
    Facility.objects.filter(pk=draft.pk).update(status=PublicationStatus.DRAFT)

    api = _api(api_client, user).post(f"/api/v1/facilities/{draft.pk}/publish/")
    draft.refresh_from_db()
    if role in KEEPERS:
        assert api.status_code == 200 and draft.is_published
    else:
        assert api.status_code in DENIED and not draft.is_published


@pytest.mark.parametrize("role", ROLES)
def test_create_facility(role, world, client, api_client):
    home, user = world["home"], world["users"][role]
    page = _client(client, user).post(
        reverse("catalogue:facility_create", args=[home.slug]),
        {"name": "Ny side-fasilitet", "kind": "laboratory", "city": "Oslo"},
    )
    created_by_page = Facility.objects.filter(name="Ny side-fasilitet").exists()
    api = _api(api_client, user).post(
        "/api/v1/facilities/", {"institution": home.pk, "name": "Ny API-fasilitet", "kind": "laboratory"}, format="json"
    )
    created_by_api = Facility.objects.filter(name="Ny API-fasilitet").first()
    if role in INSTITUTION_ADMINS:
        assert page.status_code == 302 and created_by_page
        assert api.status_code == 201, api.content
        assert created_by_api.status == PublicationStatus.DRAFT and created_by_api.city == "Oslo"
    else:
        assert not created_by_page and created_by_api is None
        assert api.status_code in DENIED
        if role != "anonymous":
            assert page.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_manage_institution(role, world, client, api_client):
    home, user = world["home"], world["users"][role]
    page = _client(client, user).post(
        reverse("catalogue:institution_edit", args=[home.slug]),
        {"industry_access_nb": "Ring næringslivskontakten.", "industry_access_en": "", "web_address": ""},
    )
    home.refresh_from_db()
    assert (home.industry_access_nb == "Ring næringslivskontakten.") == (role in INSTITUTION_ADMINS)
    api = _api(api_client, user).patch(
        f"/api/v1/institutions/{home.pk}/", {"industry_access_en": "Call the industry liaison."}, format="json"
    )
    home.refresh_from_db()
    if role in INSTITUTION_ADMINS:
        assert page.status_code == 302
        assert api.status_code == 200 and home.industry_access_en == "Call the industry liaison."
    else:
        assert api.status_code in DENIED and home.industry_access_en == ""


@pytest.mark.parametrize("role", ROLES)
def test_contacts_and_resources_through_api(role, world, api_client):
    facility, user = world["published"], world["users"][role]
    client = _api(api_client, user)
    created = client.post(
        "/api/v1/resources/", {"facility": facility.pk, "kind": "instrument", "name": "Ny sentrifuge"}, format="json"
    )
    contact = client.post(
        "/api/v1/contacts/",
        {"facility": facility.pk, "name": "Ola", "email": "ola@example.org", "is_primary": False},
        format="json",
    )
    if role in KEEPERS:
        assert created.status_code == 201 and contact.status_code == 201
        resource_id = created.json()["id"]
        assert client.patch(f"/api/v1/resources/{resource_id}/", {"bookable": True}, format="json").json()["bookable"]
        assert client.delete(f"/api/v1/resources/{resource_id}/").status_code == 204
    else:
        assert created.status_code in DENIED and contact.status_code in DENIED
        assert not facility.resources.filter(name="Ny sentrifuge").exists()


@pytest.mark.parametrize("role", ROLES)
def test_verify(role, world, client, api_client):
    facility, user = world["published"], world["users"][role]
    Facility.objects.filter(pk=facility.pk).update(last_verified=None)
    _client(client, user).post(reverse("catalogue:facility_verify", args=[facility.slug]))
    facility.refresh_from_db()
    assert (facility.last_verified is not None) == (role in KEEPERS)
    Facility.objects.filter(pk=facility.pk).update(last_verified=None)
    api = _api(api_client, user).post(f"/api/v1/facilities/{facility.pk}/verify/")
    facility.refresh_from_db()
    assert (api.status_code == 200) == (role in KEEPERS)
    assert (facility.last_verified is not None) == (role in KEEPERS)
