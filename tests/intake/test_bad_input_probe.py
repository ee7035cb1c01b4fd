import pytest

from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/requests/"
BIG = 10**20


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.mark.parametrize(
    "change",
    [
        {"org_number": 123},
        {"org_number": None},
        {"email": "nope"},
        {"phase": "x"},
        {"access_model": "x"},
        {"budget_range": "x"},
        {"nda_required": "maybe"},
        {"preferred_institution": "x"},
        {"preferred_category": "x"},
        {"preferred_facility": 5},
        {"description": ""},
        {"company_name": "x" * 1000},
        {"language": "de"},
        {"org_number": "9" * 30},
    ],
)
def test_create(client, world, valid_request, change):
    r = client.post(URL, {**valid_request, **change}, content_type="application/json", **auth(world.key))
    print(change, r.status_code, r.content[:300])
    assert r.status_code == 400


def test_missing(client, world, valid_request):
    for k in valid_request:
        d = dict(valid_request)
        d.pop(k)
        r = client.post(URL, d, content_type="application/json", **auth(world.key))
        print(k, r.status_code, r.content[:200])


def test_list_body(client, world):
    r = client.post(URL, "[1]", content_type="application/json", **auth(world.key))
    print(r.status_code, r.content[:200])
    assert r.status_code == 400
    r = client.post(URL, "{bad json", content_type="application/json", **auth(world.key))
    print(r.status_code, r.content[:200])
    assert r.status_code == 400


@pytest.mark.parametrize("pk", ["abc", str(BIG), "99999"])
@pytest.mark.parametrize("action", ["", "messages/", "route/", "decline/", "request-info/", "accept/", "withdraw/", "close/", "assign/"])
def test_unknown(client, world, pk, action):
    method = client.get if not action else client.post
    r = method(f"{URL}{pk}/{action}", {}, content_type="application/json", **auth(world.key)) if action else client.get(f"{URL}{pk}/", **auth(world.key))
    print(pk, action, r.status_code)
    assert r.status_code == 404


def test_screener_bad_bodies(client, world):
    req = IntakeRequestFactory(institution=world.uio, status="in_screening")
    client.force_login(world.screener)
    for action, body in [
        ("route/", {}), ("route/", {"facilities": "proteomikk"}), ("route/", {"facilities": ["nope"]}),
        ("route/", {"facilities": []}), ("route/", {"facilities": [None]}),
        ("decline/", {}), ("decline/", {"reason": "bogus"}), ("decline/", {"reason": "out_of_scope", "routing": BIG}),
        ("request-info/", {}), ("request-info/", {"message": ""}),
        ("close/", {"reason": "duplicate", "duplicate_of": BIG}), ("close/", {"reason": "duplicate", "duplicate_of": "x"}),
        ("close/", {}), ("accept/", {}), ("accept/", {"proposal_kind": "booking", "booking_id": BIG}),
        ("assign/", {"institution": "nope"}),
    ]:
        r = client.post(f"{URL}{req.pk}/{action}", body, content_type="application/json")
        print(action, body, r.status_code, r.content[:250])
        assert r.status_code in (400, 403, 404, 409), (action, body, r.status_code)


def test_webhook_bad(client, world):
    for body in [{}, {"url": "not a url"}, {"url": "ftp://x"}, {"url": "http://127.0.0.1/"}, {"url": 5}]:
        r = client.put("/api/v1/intake/webhook/", body, content_type="application/json", **auth(world.key))
        print(body, r.status_code, r.content[:250])
