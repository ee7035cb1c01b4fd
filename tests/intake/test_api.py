import pytest

from intake.models import IntakeRequest
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/requests/"


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_cluster_submits_on_behalf_of_a_member_company(client, world, valid_request):
    response = client.post(
        URL, {**valid_request, "preferred_facility": "proteomikk"}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "in_screening"
    assert [step["to_status"] for step in body["history"]] == ["submitted", "in_screening"]
    request = IntakeRequest.objects.get(pk=body["id"])
    assert request.company_name == "Biotek AS"
    assert request.org_number == "988077917"
    assert request.submitted_by_client == world.client
    assert request.institution == world.uio  # the facility's institution screens it


def test_wrong_org_number_is_a_400_naming_the_field(client, world, valid_request):
    response = client.post(
        URL, {**valid_request, "org_number": "988 077 918"}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 400
    assert "org_number" in response.json()
    assert response.json()["org_number"][0]


def test_unknown_facility_is_a_400_naming_the_field(client, world, valid_request):
    response = client.post(
        URL, {**valid_request, "preferred_facility": "finnes-ikke"}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 400
    assert "preferred_facility" in response.json()


def test_missing_consent_is_a_400_naming_the_field(client, world, valid_request):
    response = client.post(
        URL, {**valid_request, "consent_to_share": False}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 400
    assert "consent_to_share" in response.json()


def test_unknown_sector_is_a_400(client, world, valid_request):
    response = client.post(URL, {**valid_request, "sector": "oil"}, content_type="application/json", **auth(world.key))
    assert response.status_code == 400
    assert "sector" in response.json()


def test_missing_scope_is_a_403_naming_the_scope(client, world, valid_request):
    from intake import services

    _, read_only_key = services.api_client_create(name="Les", kind="tto", scopes=["intake:read"])
    response = client.post(URL, valid_request, content_type="application/json", **auth(read_only_key))
    assert response.status_code == 403
    assert "intake:write" in response.json()["detail"]
    _, write_only_key = services.api_client_create(name="Skriv", kind="tto", scopes=["intake:write"])
    assert client.get(URL, **auth(write_only_key)).status_code == 403


def test_client_lists_only_its_own_requests_without_a_query_per_row(
    client, world, valid_request, django_assert_max_num_queries
):
    for _ in range(5):
        client.post(URL, valid_request, content_type="application/json", **auth(world.key))
    client.post(URL, valid_request, content_type="application/json", **auth(world.other_key))
    IntakeRequestFactory(institution=world.uio)
    with django_assert_max_num_queries(6):
        response = client.get(URL, **auth(world.key))
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_detail_shows_status_history_and_messages(client, world, valid_request):
    created = client.post(URL, valid_request, content_type="application/json", **auth(world.key)).json()
    answer = client.post(
        f"{URL}{created['id']}/messages/",
        {"message": "Prøvene er klare i mai."},
        content_type="application/json",
        **auth(world.key),
    )
    assert answer.status_code == 201
    detail = client.get(f"{URL}{created['id']}/", **auth(world.key)).json()
    assert detail["status"] == "in_screening"
    assert detail["messages"][0]["body"] == "Prøvene er klare i mai."
    assert detail["messages"][0]["author_role"] == "requester"
    assert detail["history"][0]["to_status"] == "submitted"


def test_screener_and_manager_actions_through_the_api(client, world, valid_request, quote_resource):
    created = client.post(
        URL, {**valid_request, "preferred_institution": "uio"}, content_type="application/json", **auth(world.key)
    ).json()
    detail_url = f"{URL}{created['id']}/"
    client.force_login(world.screener)
    info = client.post(detail_url + "request-info/", {"message": "Hvor mange prøver?"}, content_type="application/json")
    assert info.json()["status"] == "needs_info"
    client.logout()
    client.post(detail_url + "messages/", {"message": "200."}, content_type="application/json", **auth(world.key))
    client.force_login(world.screener)
    routed = client.post(
        detail_url + "route/",
        {"facilities": ["proteomikk", "mr-senter"], "note": "Se på dette"},
        content_type="application/json",
    )
    assert routed.status_code == 200, routed.json()
    assert routed.json()["status"] == "routed"
    client.force_login(world.ntnu_manager)
    declined = client.post(
        detail_url + "decline/", {"reason": "out_of_scope", "comment": "Ikke MR"}, content_type="application/json"
    )
    assert declined.json()["status"] == "routed"
    client.force_login(world.manager)
    accepted = client.post(
        detail_url + "accept/",
        {
            "proposal_kind": "quote", "quote_amount": "48000.00", "proposal_text": "Se tilbud.",
            "quote_resource": quote_resource.pk, "quote_unit": "hour", "quote_quantity": "80",
        },  # fmt: skip
        content_type="application/json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    client.logout()
    seen = client.get(detail_url, **auth(world.key)).json()
    assert {r["facility"]: r["status"] for r in seen["routings"]} == {"proteomikk": "accepted", "mr-senter": "declined"}
    assert seen["routings"][0]["quote_amount"] == "48000.00"


def test_illegal_transition_is_a_409(client, world, valid_request):
    created = client.post(
        URL, {**valid_request, "preferred_institution": "uio"}, content_type="application/json", **auth(world.key)
    ).json()
    assert (
        client.post(f"{URL}{created['id']}/withdraw/", {}, content_type="application/json", **auth(world.key)).json()[
            "status"
        ]
        == "withdrawn"
    )
    client.force_login(world.screener)
    response = client.post(
        f"{URL}{created['id']}/route/", {"facilities": ["proteomikk"]}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "status" in response.json()


def test_route_to_unknown_facility_is_a_400(client, world):
    request = IntakeRequestFactory(institution=world.uio)
    client.force_login(world.screener)
    response = client.post(f"{URL}{request.pk}/route/", {"facilities": ["nope"]}, content_type="application/json")
    assert response.status_code == 400
    assert "facilities" in response.json()


def test_decline_needs_a_reason_from_the_list(client, world):
    request = IntakeRequestFactory(institution=world.uio)
    client.force_login(world.screener)
    response = client.post(f"{URL}{request.pk}/decline/", {"reason": "lei"}, content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()
    ok = client.post(
        f"{URL}{request.pk}/decline/", {"reason": "unclear", "comment": "Uklart"}, content_type="application/json"
    )
    assert ok.json()["status"] == "declined"


def test_a_client_cannot_screen_its_own_request(client, world, valid_request):
    created = client.post(
        URL, {**valid_request, "preferred_institution": "uio"}, content_type="application/json", **auth(world.key)
    ).json()
    response = client.post(
        f"{URL}{created['id']}/route/",
        {"facilities": ["proteomikk"]},
        content_type="application/json",
        **auth(world.key),
    )
    assert response.status_code == 403


def test_personal_tokens_still_work_next_to_organisation_keys(client, world, valid_request):
    from accounts.models import ApiToken

    _token, key = ApiToken.objects.create(user=world.company)
    response = client.post(URL, valid_request, content_type="application/json", **auth(key))
    assert response.status_code == 201
    assert IntakeRequest.objects.get(pk=response.json()["id"]).requester == world.company
    assert client.get(URL, **auth(key)).json()["count"] == 1


def test_anonymous_callers_get_401_or_403(client):
    assert client.get(URL).status_code in (401, 403)


def test_messages_on_a_finished_request_are_a_409(client, world, valid_request):
    created = client.post(URL, valid_request, content_type="application/json", **auth(world.key)).json()
    client.post(f"{URL}{created['id']}/withdraw/", {}, content_type="application/json", **auth(world.key))
    response = client.post(
        f"{URL}{created['id']}/messages/", {"message": "Hallo?"}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "request_finished"


def test_empty_message_is_a_400_naming_the_field(client, world, valid_request):
    created = client.post(URL, valid_request, content_type="application/json", **auth(world.key)).json()
    response = client.post(
        f"{URL}{created['id']}/messages/", {"message": ""}, content_type="application/json", **auth(world.key)
    )
    assert response.status_code == 400
    assert "message" in response.json()


def test_screener_list_and_detail_do_not_query_per_row(client, world, django_assert_max_num_queries):
    from intake import services

    for _ in range(6):
        request = IntakeRequestFactory(institution=world.uio)
        services.request_ask_for_info(request=request, user=world.screener, message="Mer?")
    client.force_login(world.screener)
    with django_assert_max_num_queries(10):
        listed = client.get(URL)
    assert listed.json()["count"] == 6
    with django_assert_max_num_queries(14):
        detail = client.get(f"{URL}{request.pk}/")
    assert len(detail.json()["history"]) == 1


def test_manager_inbox_and_my_requests_do_not_query_per_row(client, world, django_assert_max_num_queries):
    from intake import services

    for _ in range(6):
        request = IntakeRequestFactory(institution=world.uio, requester=world.company)
        services.request_route(request=request, user=world.screener, facilities=[world.facility])
    client.force_login(world.manager)
    with django_assert_max_num_queries(10):
        assert client.get("/intake/inbox/").status_code == 200
    client.force_login(world.company)
    # A fixed number: two more than the inbox for the page's cluster section and the requests sent without an
    # account from the person's verified address; none per row.
    with django_assert_max_num_queries(12):
        page = client.get("/intake/mine/")
    assert len(page.context["rows"]) == 6


def test_platform_admin_assigns_a_national_request_to_an_institution(
    client, world, valid_request, mailoutbox, django_capture_on_commit_callbacks
):
    created = client.post(URL, valid_request, content_type="application/json", **auth(world.key)).json()
    request = IntakeRequest.objects.get(pk=created["id"])
    assert request.institution is None
    client.force_login(world.screener)  # not yet theirs
    assert (
        client.post(f"{URL}{request.pk}/assign/", {"institution": "uio"}, content_type="application/json").status_code
        == 404
    )
    client.force_login(world.platform_admin)
    assert (
        client.post(
            f"{URL}{request.pk}/assign/", {"institution": "nowhere"}, content_type="application/json"
        ).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{request.pk}/assign/", {"institution": "uio"}, content_type="application/json")
    assert response.status_code == 200
    assert "Universitetet i Oslo" in response.json()["history"][-1]["reason"]
    request.refresh_from_db()
    assert request.institution == world.uio
    assert any(m.to == [world.screener.email] for m in mailoutbox)
    # Now it is the UiO screeners' request, and no longer the national queue's.
    client.force_login(world.screener)
    assert client.get(f"{URL}{request.pk}/").status_code == 200
    client.force_login(world.platform_admin)
    assert client.get(f"{URL}{request.pk}/").status_code == 404


def test_the_same_filters_on_the_queue_page_and_in_the_api(client, world):
    IntakeRequestFactory(institution=world.uio, sector="pharma", company_name="Pharma AS")
    IntakeRequestFactory(institution=world.uio, sector="medtech", company_name="Medtech AS")
    IntakeRequestFactory(institution=world.uio, sector="pharma", status="needs_info", company_name="Venter AS")
    client.force_login(world.screener)
    api = client.get(URL, {"sector": "pharma", "status": "in_screening"}).json()
    assert [row["company_name"] for row in api["results"]] == ["Pharma AS"]
    page = client.get("/intake/queue/", {"sector": "pharma", "status": "in_screening"})
    assert [row.company_name for row in page.context["rows"]] == ["Pharma AS"]
    assert client.get(URL, {"sector": "oil"}).status_code == 400


def test_openapi_schema_has_no_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/intake/requests/{id}/route/" in schema
    assert "organisationKey" in schema
