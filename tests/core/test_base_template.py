"""Every page's frame: skip link, landmarks, the menu, messages a screen reader hears, the statement pages."""

import re

import pytest
from django.contrib.messages import constants
from django.test import Client

from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_skip_link_landmarks_and_design_system():
    page = Client().get("/").content.decode()
    assert '<a class="ds-skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page and "<nav " in page
    assert "vendor/designsystemet/designsystemet.css" in page and "vendor/designsystemet/theme.css" in page
    assert 'data-color-scheme="light"' in page


@pytest.mark.parametrize(
    ("who", "in_main_menu", "in_personal_menu"),
    [
        ("anonymous", ["Søk", "Send en henvendelse"], []),
        ("company", ["Søk"], ["Mine bestillinger"]),
        ("manager", ["Søk"], ["Mine bestillinger", "Bestillingsforespørsler"]),
    ],
)
def test_role_pages_sit_in_the_personal_menu_so_the_header_stays_one_row(who, in_main_menu, in_personal_menu):
    client = Client()
    if who == "company":
        client.force_login(UserFactory())
    elif who == "manager":
        client.force_login(FacilityManagerFactory().user)
    page = client.get("/").content.decode()
    main_menu = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    personal = page.split('class="user-menu"', 1)[1].split("</details>", 1)[0] if 'class="user-menu"' in page else ""
    for label in in_main_menu:
        assert f">{label}</a>" in main_menu
    for label in in_personal_menu:
        assert f">{label}</a>" in personal and f">{label}</a>" not in main_menu
    assert ("Logg ut" in personal) is (who != "anonymous")


@pytest.mark.parametrize(
    ("level", "colour"),
    [
        (constants.SUCCESS, "success"),
        (constants.ERROR, "danger"),
        (constants.WARNING, "warning"),
        (constants.INFO, "info"),
    ],
)
def test_messages_are_alerts_in_a_status_region_not_list_items_of_a_status(level, colour):
    """axe's `listitem` finding: role=status on a <ul> took away its list role, leaving orphan <li>s."""
    from django.contrib import messages
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory()
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    messages.add_message(request, level, "Bestillingen er bekreftet.")
    html = render_to_string("core/privacy.html", request=request)
    region = re.search(r'<div class="messages" role="status">(.*?)</div>\s*</div>', html, re.S)
    assert region, "the messages sit in one status region"
    assert f'data-color="{colour}"' in region.group(0) and "Bestillingen er bekreftet." in region.group(0)
    assert "<li" not in region.group(0)


@pytest.mark.parametrize(
    ("path", "heading"), [("/accessibility/", "Tilgjengelighetserklæring"), ("/privacy/", "Personvernerklæring")]
)
def test_the_statements_are_linked_from_every_page_in_both_languages(path, heading):
    assert f'href="{path}"' in Client().get("/").content.decode()
    assert f"<h1>{heading}</h1>" in Client().get(path).content.decode()
    english = Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Accessibility statement</h1>" in english or "<h1>Privacy notice</h1>" in english
