"""What a company reads about its request uses plain words, in Bokmål and English: no "screening" or "screener"
(the report's dedicated contact persons are "a contact person" to the company)."""

import re

import pytest
from django.core import mail
from django.utils import translation

from core.outbox import outbox_send_due
from intake import services
from tests.intake.conftest import VALID_REQUEST

pytestmark = pytest.mark.django_db

JARGON = re.compile(r"screen", re.IGNORECASE)


def visible_text(html: str) -> str:
    """The page's text without tags, attributes and the URL paths of links and forms."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_pages_and_e_mails_a_company_reads_have_no_screening_jargon(client, world, language, settings):
    settings.LANGUAGE_CODE = language
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
    texts = [client.get("/intake/new/").content.decode()]
    sent = client.post("/intake/new/", {**VALID_REQUEST, "access_model": "service"}, follow=True)
    texts.append(sent.content.decode())
    request = world.company.intake_requests.model.objects.latest("created_at")
    request.language = language
    request.save()
    texts.append(client.get(f"/intake/confirm/{request.confirmation_token}/").content.decode())
    texts.append(client.post(f"/intake/confirm/{request.confirmation_token}/").content.decode())
    request.refresh_from_db()
    services.request_ask_for_info(request=request, user=world.screener, message="Hvor mange prøver?")
    texts.append(client.get(f"/intake/follow/{request.confirmation_token}/").content.decode())
    client.force_login(world.company)
    own = services.request_submit(data=dict(VALID_REQUEST, email=world.company.email), user=world.company)
    services.request_add_message(request=own, actor=world.screener, body="Hei", role="screener")
    texts.append(client.get(f"/intake/requests/{own.pk}/").content.decode())
    texts.append(client.get("/intake/mine/").content.decode())
    outbox_send_due()
    with translation.override(language):
        texts.extend(
            f"{message.subject}\n{message.body}" for message in mail.outbox if VALID_REQUEST["email"] in message.to
        )
    assert sum(VALID_REQUEST["email"] in message.to for message in mail.outbox) >= 3  # confirm, asked, message
    found = [match for text in texts for match in JARGON.findall(visible_text(text))]
    assert found == [], [line for text in texts for line in visible_text(text).splitlines() if JARGON.search(line)]
