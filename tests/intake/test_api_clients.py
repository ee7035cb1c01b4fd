import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intake.models import ApiClient

pytestmark = pytest.mark.django_db


def create(*args) -> tuple[str, str]:
    out = StringIO()
    call_command("create_api_client", *args, stdout=out)
    text = out.getvalue()
    return text, text.strip().splitlines()[-1]


def test_command_prints_the_key_once_alone_on_the_last_line_and_stores_only_its_hash():
    text, key = create(
        "--name", "Norway Health Tech", "--kind", "cluster", "--scopes", "catalogue:read,intake:write,intake:read"
    )
    assert key.startswith("lt_") and " " not in key and len(key) > 30
    client = ApiClient.objects.get(name="Norway Health Tech")
    assert client.kind == "cluster"
    assert client.scope_list == ["catalogue:read", "intake:write", "intake:read"]
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {client.key_hash, client.key_prefix, client.webhook_secret}
    assert client.key_prefix == key[:12]


def test_command_rejects_unknown_scopes_and_kinds():
    with pytest.raises(CommandError, match="intake:delete"):
        create("--name", "X", "--kind", "tto", "--scopes", "intake:delete")
    with pytest.raises(CommandError):
        create("--name", "X", "--kind", "bank", "--scopes", "intake:read")


def test_key_works_until_revoked_by_command(client):
    _, key = create("--name", "NTNU TTO", "--kind", "tto", "--scopes", "intake:read")
    assert client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    out = StringIO()
    call_command("revoke_api_client", key[:12], stdout=out)
    assert "Revoked" in out.getvalue()
    response = client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"].lower() or response.json()["detail"]


def test_a_wrong_key_with_a_known_prefix_is_refused(client):
    _, key = create("--name", "OCC", "--kind", "cluster", "--scopes", "intake:read")
    forged = key[:12] + "x" * (len(key) - 12)
    assert client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {forged}").status_code == 401


def test_rate_limit_per_client_answers_429_with_retry_after(client, settings):
    settings.INTAKE_API_CLIENT_RATE = "3/min"
    _, key = create("--name", "OCC", "--kind", "cluster", "--scopes", "intake:read,catalogue:read")
    _, other_key = create("--name", "NHT", "--kind", "cluster", "--scopes", "intake:read")
    statuses = [client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {key}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {key}")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # Another client has its own budget.
    assert client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {other_key}").status_code == 200


def test_revoking_an_unknown_client_is_a_clear_error():
    with pytest.raises(CommandError, match="No API client"):
        call_command("revoke_api_client", "lt_doesnotexist", stdout=StringIO())
