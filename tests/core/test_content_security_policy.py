"""The Content-Security-Policy (django-csp, config/settings.py): on every response, without 'unsafe-inline', and no
template relies on an inline script or style that the policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/",  # a portal page
        "/search/?q=mikroskop",
        "/accounts/login/",
        "/api/v1/facilities/",  # an API answer
        "/api/v1/docs/",  # Swagger UI
        "/admin/login/",
    ],
)
@pytest.mark.django_db
def test_every_response_has_a_policy_without_unsafe_inline(client, path):
    response = client.get(path)
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_load_their_set_up_script_from_the_portal(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script on the API docs page"
    assert "<style" not in page
    script = re.search(r'<script src="([^"]*\?script[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def project_templates() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.html")
        if ".venv" not in path.parts
        and "node_modules" not in path.parts
        and path.parent.name != "email"
        # Templates named *_pdf.html (agreements, usage reports) become PDFs through WeasyPrint, never pages.
        and not path.name.endswith("_pdf.html")
    ]


def test_no_template_has_an_inline_script_style_or_event_handler():
    offenders = []
    for path in project_templates():
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert len(project_templates()) > 50
    assert not offenders, offenders


@pytest.mark.django_db
def test_a_refused_form_gets_the_portals_page_not_djangos_inline_styled_one():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Skjemaet er utløpt" in page and "<style" not in page


@pytest.mark.django_db
def test_the_browsable_api_has_no_inline_style_block(client):
    page = client.get("/api/v1/facilities/", HTTP_ACCEPT="text/html").content.decode()
    assert "rest_framework/css/default.css" in page and "<style" not in page


@pytest.mark.django_db
def test_the_browsable_apis_only_inline_style_attribute_is_allowed_by_its_hash(client):
    """DRF's page floats its format menu and filter button with a style attribute; the policy allows exactly the
    attributes on the page (by hash), so the menu sits where DRF puts it and nothing else inline is allowed."""
    import base64
    import hashlib

    response = client.get("/api/v1/facilities/", HTTP_ACCEPT="text/html")
    page = response.content.decode()
    attributes = set(re.findall(r'\sstyle="([^"]*)"', page))
    assert attributes, "DRF's page has its style attribute"
    allowed = directives(response)["style-src-attr"]
    assert allowed[0] == "'unsafe-hashes'"
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"
              for value in attributes}  # fmt: skip
    assert hashes == set(allowed[1:])
