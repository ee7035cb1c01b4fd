"""A cluster's or TTO's admin manages its API keys and webhooks on the organisation's page: a key is shown once when
made or renewed, has scopes, can be renewed and revoked, shows when it was last used; the webhook address and its
secret are set there. The command-line commands stay for operators."""

import re

import pytest

from accounts.models import Organisation
from intake.models import ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLUSTER = "910000004"


@pytest.fixture
def cluster(db):
    admin = UserFactory(company_name="Oslo Cancer Cluster", org_number=CLUSTER)
    organisation = Organisation.objects.get(org_number=CLUSTER)
    organisation.kind = "cluster"
    organisation.save()
    return organisation, admin


def make_key(client, organisation, scopes=("intake:read", "intake:write")):
    page = client.post(f"/intake/organisations/{organisation.pk}/keys/", {"name": "Vårt CRM", "scopes": list(scopes)})
    assert page.status_code == 200, page.content.decode()[:500]
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    return re.search(r'value="(lt_[^"]+)"', page.content.decode()).group(1)


def api(client, key, method="get", path="/api/v1/intake/requests/", **data):
    call = getattr(client, method)
    return call(path, data or None, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")


def test_the_admin_makes_a_key_shown_once_that_works_and_shows_when_it_was_last_used(client, cluster):
    organisation, admin = cluster
    client.force_login(admin)
    key = make_key(client, organisation)
    stored = ApiClient.objects.get()
    assert (stored.organisation, stored.kind, stored.created_by, stored.key_hash) == (
        organisation, "cluster", admin, ApiClient.hash_key(key)
    )  # fmt: skip
    page = client.get(f"/accounts/organisations/{organisation.pk}/").content.decode()
    assert key not in page and key[:12] in page and "aldri" in page
    client.logout()
    assert api(client, key).status_code == 200
    client.force_login(admin)
    page = client.get(f"/accounts/organisations/{organisation.pk}/").content.decode()
    assert "aldri" not in page


def test_a_key_can_do_only_what_its_scopes_allow(client, cluster, valid_request):
    organisation, admin = cluster
    client.force_login(admin)
    key = make_key(client, organisation, scopes=["intake:read"])
    client.logout()
    assert api(client, key).status_code == 200
    refused = api(client, key, "post", **valid_request)
    assert refused.status_code == 403 and "intake:write" in refused.json()["detail"]


def test_renewing_gives_a_new_key_and_the_old_one_stops_working(client, cluster):
    organisation, admin = cluster
    client.force_login(admin)
    old = make_key(client, organisation)
    stored = ApiClient.objects.get()
    page = client.post(f"/intake/keys/{stored.pk}/rotate/")
    new = re.search(r'value="(lt_[^"]+)"', page.content.decode()).group(1)
    assert new != old and "Den gamle nøkkelen virker ikke lenger" in page.content.decode()
    client.logout()
    assert (api(client, old).status_code, api(client, new).status_code) == (401, 200)


def test_a_revoked_key_stops_working_and_cannot_be_renewed(client, cluster):
    organisation, admin = cluster
    client.force_login(admin)
    key = make_key(client, organisation)
    stored = ApiClient.objects.get()
    client.post(f"/intake/keys/{stored.pk}/revoke/")
    assert "Trukket tilbake" in client.get(f"/accounts/organisations/{organisation.pk}/").content.decode()
    client.post(f"/intake/keys/{stored.pk}/rotate/")
    stored.refresh_from_db()
    assert stored.is_revoked and stored.key_hash == ApiClient.hash_key(key)
    client.logout()
    assert api(client, key).status_code == 401


def test_the_webhook_is_set_with_a_secret_shown_once_and_switched_off(client, cluster):
    organisation, admin = cluster
    client.force_login(admin)
    make_key(client, organisation)
    stored = ApiClient.objects.get()
    page = client.post(f"/intake/keys/{stored.pk}/webhook/", {f"w{stored.pk}-url": "https://occ.example/hook"})
    stored.refresh_from_db()
    assert stored.webhook_url == "https://occ.example/hook" and stored.webhook_secret in page.content.decode()
    assert stored.webhook_secret not in client.get(f"/accounts/organisations/{organisation.pk}/").content.decode()
    bad = client.post(f"/intake/keys/{stored.pk}/webhook/", {f"w{stored.pk}-url": "not an address"}, follow=True)
    assert "Webhook-adresse" in bad.content.decode()
    client.post(f"/intake/keys/{stored.pk}/webhook/", {f"w{stored.pk}-url": ""})
    stored.refresh_from_db()
    assert (stored.webhook_url, stored.webhook_secret) == ("", "")


@pytest.mark.parametrize("who", ["member", "other admin", "company admin"])
def test_only_the_clusters_admins_manage_its_keys(client, cluster, who):
    from accounts.choices import MembershipRole
    from accounts.models import OrganisationMembership

    organisation, admin = cluster
    client.force_login(admin)
    make_key(client, organisation)
    stored = ApiClient.objects.get()
    person = {
        "member": lambda: UserFactory(company_name="Oslo Cancer Cluster", org_number=CLUSTER),
        "other admin": lambda: UserFactory(company_name="Norway Health-Tech", org_number="910000012"),
        "company admin": lambda: UserFactory(company_name="Biotek AS"),
    }[who]()
    OrganisationMembership.objects.filter(user=person, organisation=organisation).update(role=MembershipRole.MEMBER)
    client.force_login(person)
    page = client.get(f"/accounts/organisations/{organisation.pk}/")
    assert "API-nøkler" not in page.content.decode()
    assert (
        client.post(
            f"/intake/organisations/{organisation.pk}/keys/", {"name": "x", "scopes": ["intake:read"]}
        ).status_code
        == 404
    )
    for action in ("rotate", "revoke"):
        assert client.post(f"/intake/keys/{stored.pk}/{action}/").status_code == 404
    stored.refresh_from_db()
    assert not stored.is_revoked


def test_a_company_has_no_keys_to_manage(client, db):
    admin = UserFactory(company_name="Biotek AS")
    organisation = admin.memberships.get().organisation
    client.force_login(admin)
    assert "API-nøkler" not in client.get(f"/accounts/organisations/{organisation.pk}/").content.decode()
    response = client.post(f"/intake/organisations/{organisation.pk}/keys/", {"name": "x", "scopes": ["intake:read"]})
    assert response.status_code == 404


def test_the_operators_commands_stay(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_client", name="NTNU TTO", kind="tto", scopes="intake:read", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert ApiClient.objects.get(key_hash=ApiClient.hash_key(key)).organisation is None
    call_command("revoke_api_client", key[:12], stdout=StringIO())
    assert ApiClient.objects.get().is_revoked
