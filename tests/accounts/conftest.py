import re

import pytest
from django.core import mail

from tests.factories import PASSWORD


def link_in_last_mail(pattern: str = r"https?://\S+") -> str:
    """The first link in the last e-mail sent, as a path."""
    body = mail.outbox[-1].body
    url = re.search(pattern, body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def obtain_token(client, email: str, password: str = PASSWORD, meta: dict | None = None, **fields):
    """POST /api/v1/auth/token/ with `fields` in the body and `meta` (e.g. REMOTE_ADDR) in the request."""
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password, **fields},
        content_type="application/json",
        **(meta or {}),
    )


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client
