"""Clusters and TTOs in the portal: their staff send requests on behalf of a member company (the company recorded,
the cluster as sender) and see the status of every request they sent or that names a member company that agreed
to share. One policy for page and API, checked as a matrix of who sees and acts on what."""

import pytest

from accounts import services as account_services
from accounts.models import ClusterMember, Organisation
from intake import policies, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCC, NHT, SHARING, PRIVATE, OUTSIDE = "910000004", "910000012", "910000020", "910000039", "910000047"


@pytest.fixture
def clusters(world):
    """Oslo Cancer Cluster (staff: occ) with member companies Sharing AS (lets it follow its requests) and Private
    AS (does not); Norway Health-Tech (staff: nht) with none; Outside AS, a member of neither. occ's key belongs to
    the cluster. Four requests: one occ sent for Sharing AS, one each that the three companies sent themselves.
    Private AS has not agreed, so nothing can be sent in its name."""

    class Clusters:
        pass

    c = Clusters()
    c.occ = UserFactory(company_name="Oslo Cancer Cluster", org_number=OCC)
    c.nht = UserFactory(company_name="Norway Health-Tech", org_number=NHT)
    Organisation.objects.filter(org_number__in=[OCC, NHT]).update(kind="cluster")
    c.sharing = UserFactory(company_name="Sharing AS", org_number=SHARING)
    c.private = UserFactory(company_name="Private AS", org_number=PRIVATE)
    c.outside = UserFactory(company_name="Outside AS", org_number=OUTSIDE)
    cluster = Organisation.objects.get(org_number=OCC)
    for number in (SHARING, PRIVATE):
        account_services.cluster_member_add(actor=c.occ, cluster=cluster, org_number=number)
    member = ClusterMember.objects.get(company__org_number=SHARING)
    account_services.cluster_sharing_decide(actor=c.sharing, member=member, share=True)
    world.client.organisation = cluster
    world.client.save()
    c.key = world.key

    def sent(user, number, **extra):
        data = {**REQUEST, "org_number": number, "company_name": "typed", "email": user.email}
        return services.request_submit(data=data, user=user, **extra)

    c.requests = {
        "occ for Sharing AS": sent(c.occ, "", on_behalf_of=Organisation.objects.get(org_number=SHARING)),
        "Sharing AS itself": sent(c.sharing, SHARING),
        "Private AS itself": sent(c.private, PRIVATE),
        "Outside AS itself": sent(c.outside, OUTSIDE),
    }
    return c


REQUEST = {
    "contact_name": "Kari Nordmann", "sector": "diagnostics", "phase": "testing", "description": "Massespektrometri.",
    "consent_to_share": True,
}  # fmt: skip

# who -> what they may with each request: "act" (follow and act as its sender), "read" (follow its status), "-" (404)
REQUESTS = ("occ for Sharing AS", "Sharing AS itself", "Private AS itself", "Outside AS itself")
MATRIX = {
    "occ": ("act", "read", "-", "-"),
    "occ key": ("act", "read", "-", "-"),
    "nht": ("-", "-", "-", "-"),
    "private": ("-", "-", "act", "-"),
}
CASES = [(who, which, may) for who, row in MATRIX.items() for which, may in zip(REQUESTS, row, strict=True)]


def as_actor(client, clusters, who):
    if who == "occ key":
        return {"HTTP_AUTHORIZATION": f"Token {clusters.key}"}
    client.force_login(getattr(clusters, who))
    return {}


@pytest.mark.parametrize(("who", "which", "may"), CASES)
def test_who_sees_and_acts_on_which_request_through_the_api(client, clusters, who, which, may):
    request = clusters.requests[which]
    headers = as_actor(client, clusters, who)
    url = f"/api/v1/intake/requests/{request.pk}/"
    seen = client.get(url, **headers).status_code
    listed = request.pk in [row["id"] for row in client.get("/api/v1/intake/requests/", **headers).json()["results"]]
    message = client.post(url + "messages/", {"message": "Hei"}, content_type="application/json", **headers)
    assert (seen, listed) == ((200, True) if may != "-" else (404, False))
    assert message.status_code == {"act": 201, "read": 403, "-": 404}[may]


@pytest.mark.parametrize(("who", "which", "may"), [case for case in CASES if case[0] != "occ key"])
def test_who_sees_and_acts_on_which_request_in_the_portal(client, clusters, who, which, may):
    request = clusters.requests[which]
    as_actor(client, clusters, who)
    page = client.get(f"/intake/requests/{request.pk}/")
    mine = client.get("/intake/mine/").content.decode()
    message = client.post(f"/intake/requests/{request.pk}/message/", {"message": "Hei"})
    assert page.status_code == (200 if may != "-" else 404)
    assert ('name="message"' in page.content.decode()) is (may == "act")  # a follower gets no form it cannot use
    assert (f'href="/intake/requests/{request.pk}/"' in mine) is (may != "-")
    assert message.status_code == {"act": 302, "read": 403, "-": 404}[may]


def test_a_cluster_sends_for_a_member_company_recorded_with_the_cluster_as_sender(client, clusters, world):
    sharing = Organisation.objects.get(org_number=SHARING)
    client.force_login(clusters.occ)
    form = client.get("/intake/new/").content.decode()
    assert "På vegne av en medlemsbedrift" in form and "Sharing AS" in form
    assert "Private AS" not in form and "Outside AS" not in form  # listed without its consent, or not a member
    response = client.post(
        "/intake/new/",
        {**REQUEST, "on_behalf_of": sharing.pk, "contact_name": "Per", "email": "per@occ.example",
         "access_model": "service"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    request = clusters.occ.intake_requests.latest("created_at")
    assert (request.organisation, request.sent_by_organisation.org_number) == (sharing, OCC)
    assert (request.company_name, request.org_number) == ("Sharing AS", SHARING)


def test_only_member_companies_can_be_named_and_only_by_the_clusters_staff(clusters):
    from core.errors import DomainError

    outside, private = Organisation.objects.get(org_number=OUTSIDE), Organisation.objects.get(org_number=PRIVATE)
    sharing = Organisation.objects.get(org_number=SHARING)
    # not a member; a member that has not agreed to it; another cluster's member
    for user, company in ((clusters.occ, outside), (clusters.occ, private), (clusters.nht, sharing)):
        with pytest.raises(DomainError) as caught:
            services.request_submit(data={**REQUEST, "org_number": "", "company_name": "x", "email": user.email},
                                    user=user, on_behalf_of=company)  # fmt: skip
        assert (caught.value.field, caught.value.code) == ("on_behalf_of", "not_a_member")


def test_the_cluster_key_sends_for_a_member_by_its_number(client, clusters, valid_request):
    unagreed = client.post(
        "/api/v1/intake/requests/", {**valid_request, "org_number": PRIVATE}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {clusters.key}",
    )  # fmt: skip
    assert unagreed.json()["organisation"] is None  # a typed number of a company that has not agreed: text only
    response = client.post(
        "/api/v1/intake/requests/", {**valid_request, "org_number": SHARING}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {clusters.key}",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["organisation"] == Organisation.objects.get(org_number=SHARING).pk
    assert body["sent_by_organisation"] == Organisation.objects.get(org_number=OCC).pk
    client.force_login(clusters.occ)  # its staff follow what the key sent
    assert client.get(f"/intake/requests/{body['id']}/").status_code == 200


def test_a_following_cluster_never_reads_internal_notes(client, clusters, world):
    request = clusters.requests["Sharing AS itself"]
    admin = world.platform_admin
    services.request_add_message(request=request, actor=admin, body="Intern vurdering", role="screener", internal=True)
    services.request_add_message(request=request, actor=admin, body="Til bedriften", role="screener")
    client.force_login(clusters.occ)
    bodies = [m["body"] for m in client.get(f"/api/v1/intake/requests/{request.pk}/").json()["messages"]]
    assert bodies == ["Til bedriften"]


@pytest.mark.parametrize(
    ("who", "status"), [("sharing", 302), ("occ", 403), ("private", 404), ("nht", 404)]
)  # fmt: skip
def test_only_the_companys_admin_decides_whether_the_cluster_follows_its_requests(client, clusters, who, status):
    # 403 to the cluster, which knows the membership; 404 to whoever does not, as a missing one.
    member = ClusterMember.objects.get(company__org_number=SHARING)
    client.force_login(getattr(clusters, who))
    response = client.post(f"/accounts/organisations/members/{member.pk}/sharing/", {"share": "no"})
    member.refresh_from_db()
    assert (response.status_code, member.shares_requests) == (status, status != 302)


@pytest.mark.parametrize(("who", "status"), [("occ", 302), ("sharing", 403), ("nht", 404), ("private", 404)])
def test_only_the_clusters_admin_removes_a_member_company(client, clusters, who, status):
    member = ClusterMember.objects.get(company__org_number=SHARING)
    client.force_login(getattr(clusters, who))
    response = client.post(f"/accounts/organisations/members/{member.pk}/remove/")
    assert (response.status_code, ClusterMember.objects.filter(pk=member.pk).exists()) == (status, status != 302)


def test_a_cluster_admin_adds_and_removes_member_companies_on_its_page(client, clusters):
    cluster = Organisation.objects.get(org_number=OCC)
    client.force_login(clusters.occ)
    page = client.get(f"/accounts/organisations/{cluster.pk}/").content.decode()
    assert "Medlemsbedrifter" in page and "Sharing AS" in page
    client.post(f"/accounts/organisations/{cluster.pk}/members/add/", {"org_number": "910 000 047"})
    assert cluster.member_companies.filter(company__org_number=OUTSIDE, shares_requests=False).exists()
    client.force_login(clusters.nht)
    refused = client.post(f"/accounts/organisations/{cluster.pk}/members/add/", {"org_number": "910000055"})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("which", "delivered"),
    [
        ("occ for Sharing AS", True),
        ("Sharing AS itself", True),
        ("Private AS itself", False),
        ("Outside AS itself", False),
    ],
)
def test_the_clusters_webhook_hears_of_the_requests_it_follows(clusters, world, which, delivered):
    from intake.models import WebhookDelivery

    services.webhook_register(client=world.client, url="https://occ.example/hook")
    request = clusters.requests[which]
    services.request_ask_for_info(request=request, user=world.platform_admin, message="Hvor mange prøver?")
    deliveries = WebhookDelivery.objects.filter(client=world.client, request=request)
    assert [d.payload["to_status"] for d in deliveries] == (["needs_info"] if delivered else [])


def test_the_company_hears_it_was_added_and_where_to_decide(clusters, mailoutbox):
    from core.outbox import outbox_send_due

    cluster = Organisation.objects.get(org_number=OCC)
    account_services.cluster_member_add(actor=clusters.occ, cluster=cluster, org_number=OUTSIDE)
    mailoutbox.clear()
    outbox_send_due()
    (message,) = [m for m in mailoutbox if clusters.outside.email in m.to and "medlem" in m.subject]
    company = Organisation.objects.get(org_number=OUTSIDE)
    assert message.subject == "Oslo Cancer Cluster har oppført bedriften deres som medlem"
    assert f"/accounts/organisations/{company.pk}/" in message.body and "ser ingenting av dem" in message.body


def test_a_clusters_staff_member_sends_for_a_member_with_a_personal_token_too(client, clusters, valid_request):
    request = {key: value for key, value in valid_request.items() if key not in ("company_name", "org_number")}
    client.force_login(clusters.occ)
    sent = client.post(
        "/api/v1/intake/requests/", {**request, "on_behalf_of": SHARING}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.json()
    assert (sent.json()["company_name"], sent.json()["org_number"]) == ("Sharing AS", SHARING)
    assert sent.json()["sent_by_organisation"] == Organisation.objects.get(org_number=OCC).pk
    for company in (OUTSIDE, PRIVATE):  # not a member; a member that has not agreed
        refused = client.post(
            "/api/v1/intake/requests/", {**request, "on_behalf_of": company}, content_type="application/json"
        )
        assert (refused.status_code, refused.json()["code"]) == (400, "not_a_member")
    missing = client.post("/api/v1/intake/requests/", request, content_type="application/json")
    assert missing.status_code == 400 and "org_number" in missing.json()


# --- who the policies take an actor to be: the clusters it speaks for, the requester, the confirmed sender -------


def _second_staff(clusters):
    """Another approved member of Oslo Cancer Cluster, who did not send anything."""
    staff = UserFactory()
    membership = account_services.membership_request(user=staff, org_number=OCC)
    account_services.membership_decide(actor=clusters.occ, membership_id=membership.pk, approve=True)
    return staff


def test_the_clusters_a_person_or_a_key_speaks_for(clusters, world):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from intake.models import ApiClient

    occ = Organisation.objects.get(org_number=OCC)
    staff = _second_staff(clusters)
    assert policies.cluster_ids(clusters.occ) == {occ.pk} == policies.cluster_ids(staff)
    staff.is_active = False  # a deactivated account speaks for nobody
    assert policies.cluster_ids(staff) == set()
    assert policies.cluster_ids(world.client) == {occ.pk}
    assert policies.cluster_ids(clusters.sharing) == set()  # a member company speaks for no cluster
    assert policies.cluster_ids(AnonymousUser()) == set()
    ApiClient.objects.filter(pk=world.client.pk).update(revoked_at=timezone.now())
    world.client.refresh_from_db()
    assert policies.cluster_ids(world.client) == set()
    ApiClient.objects.filter(pk=world.client.pk).update(revoked_at=None, organisation=None)
    world.client.refresh_from_db()
    assert policies.cluster_ids(world.client) == set()


def test_a_clusters_other_staff_are_requesters_of_what_it_sent_and_of_nothing_else(clusters):
    staff = _second_staff(clusters)
    requests = clusters.requests
    assert policies.is_requester(staff, requests["occ for Sharing AS"]) is True
    assert policies.is_requester(staff, requests["Sharing AS itself"]) is False
    assert policies.is_requester(clusters.nht, requests["occ for Sharing AS"]) is False


def test_a_revoked_key_and_a_signed_out_visitor_are_nobodys_requester(clusters, world):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from tests.intake.factories import IntakeRequestFactory

    sent = clusters.requests["occ for Sharing AS"]
    assert policies.is_requester(world.client, sent) is True
    world.client.revoked_at = timezone.now()
    assert policies.is_requester(world.client, sent) is False
    without_account = IntakeRequestFactory(requester=None, confirmed_at=timezone.now())
    assert policies.is_requester(AnonymousUser(), without_account) is False
    assert policies.can_manage_api_keys(AnonymousUser(), Organisation.objects.get(org_number=OCC)) is False


@pytest.mark.parametrize(
    ("change", "confirmed_sender"),
    [
        ({}, True),
        ({"email": "PER.Hansen@lab.example"}, True),  # the same address in other letters
        ({"requester": "someone"}, False),  # sent with an account: that account's
        ({"client": True}, False),  # sent with a key: the key's organisation's
        ({"confirmed_at": None}, False),  # the address never confirmed
        ({"email": "ola.hansen@lab.example"}, False),
        ({"verified": False}, False),  # the person's own address not verified
    ],
)
def test_who_sent_a_request_without_an_account_is_the_person_with_that_verified_address(
    world, change, confirmed_sender
):
    from django.utils import timezone

    from tests.intake.factories import IntakeRequestFactory

    request = IntakeRequestFactory(
        requester=UserFactory() if change.get("requester") else None,
        submitted_by_client=world.client if change.get("client") else None,
        confirmed_at=change.get("confirmed_at", timezone.now()),
        email="per.hansen@lab.example",
    )
    address = change.get("email", "per.hansen@lab.example")
    person = UserFactory(email=address, email_verified=change.get("verified", True))
    assert policies.is_confirmed_sender(person, request) is confirmed_sender
    assert policies.is_requester(person, request) is confirmed_sender
