"""Only the requester, the submitting client, the screeners of the request's institution (platform admins for the
national queue) and managers of facilities it was routed to can read a request, by page or API."""

import pytest

from intake import policies, services
from intake.models import IntakeRequest
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db

PEOPLE = [
    "company",
    "screener",
    "other_screener",
    "inst_admin",
    "manager",
    "ntnu_manager",
    "platform_admin",
    "outsider",
]


def make_request(world, *, national=False, routed=False) -> IntakeRequest:
    request = IntakeRequestFactory(
        requester=world.company, submitted_by_client=world.client, institution=None if national else world.uio
    )
    if routed:
        screener = world.platform_admin if national else world.screener
        services.request_route(request=request, user=screener, facilities=[world.facility])
    return request


# (national, routed) -> who may read
CASES = {
    (False, False): {"company", "screener"},
    (False, True): {"company", "screener", "manager"},
    (True, False): {"company", "platform_admin"},
    (True, True): {"company", "platform_admin", "manager"},
}


@pytest.mark.parametrize(("national", "routed"), list(CASES))
@pytest.mark.parametrize("person", PEOPLE)
def test_page_and_api_matrix(client, world, person, national, routed):
    request = make_request(world, national=national, routed=routed)
    allowed = person in CASES[(national, routed)]
    user = getattr(world, person)
    assert policies.can_view_request(user, request) is allowed
    client.force_login(user)
    page = client.get(f"/intake/requests/{request.pk}/")
    assert page.status_code == (200 if allowed else 404)
    if allowed:
        assert request.description in page.content.decode()
    api = client.get(f"/api/v1/intake/requests/{request.pk}/")
    assert api.status_code == (200 if allowed else 404)
    listed = {row["id"] for row in client.get("/api/v1/intake/requests/").json()["results"]}
    assert (request.pk in listed) is allowed
    # Acting is no way round it either.
    message = client.post(
        f"/api/v1/intake/requests/{request.pk}/messages/", {"message": "Hei"}, content_type="application/json"
    )
    assert message.status_code == (201 if allowed else 404)


@pytest.mark.parametrize(("national", "routed"), list(CASES))
def test_api_clients_see_only_what_they_submitted(client, world, national, routed):
    request = make_request(world, national=national, routed=routed)
    own = client.get(f"/api/v1/intake/requests/{request.pk}/", HTTP_AUTHORIZATION=f"Token {world.key}")
    other = client.get(f"/api/v1/intake/requests/{request.pk}/", HTTP_AUTHORIZATION=f"Token {world.other_key}")
    assert own.status_code == 200
    assert other.status_code == 404
    listed = client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {world.other_key}").json()
    assert listed["count"] == 0


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    request = make_request(world)
    response = client.get(f"/intake/requests/{request.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/intake/requests/{request.pk}/").status_code in (401, 403)


def test_a_revoked_client_loses_access(client, world):
    request = make_request(world)
    services.api_client_revoke(client=world.client)
    response = client.get(f"/api/v1/intake/requests/{request.pk}/", HTTP_AUTHORIZATION=f"Token {world.key}")
    assert response.status_code == 401


def test_screeners_of_another_institution_cannot_act(client, world):
    request = make_request(world)
    client.force_login(world.other_screener)
    response = client.post(
        f"/api/v1/intake/requests/{request.pk}/decline/", {"reason": "unclear"}, content_type="application/json"
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "in_screening"


def test_a_manager_who_can_read_cannot_screen(client, world):
    request = make_request(world, routed=True)
    client.force_login(world.manager)
    response = client.post(
        f"/api/v1/intake/requests/{request.pk}/close/", {"reason": "spam"}, content_type="application/json"
    )
    assert response.status_code == 403
    page = client.post(f"/intake/requests/{request.pk}/close/", {"reason": "spam"})
    assert page.status_code == 403
