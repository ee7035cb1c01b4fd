import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "lab-time-at-last-42"


def company_sign_up(**overrides):
    data = {
        "kind": "company",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "email": "Ola@Bedrift.example.org",
        "password": STRONG_PASSWORD,
        "company_name": "Bedrift AS",
        "org_number": "988 077 917",
        "language": "nb",
    }
    data.update(overrides)
    return data


def test_company_user_signs_up_with_spaced_org_number_and_is_logged_in(client):
    response = client.post(reverse("accounts:sign_up"), company_sign_up())
    assert response.status_code == 302
    user = User.objects.get(email="ola@bedrift.example.org")
    assert user.org_number == "988077917"
    assert user.company_name == "Bedrift AS"
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_check_digit_is_refused_with_the_error_on_the_org_number_field(client):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:sign_up"), company_sign_up(org_number="988077918"))
    assert response.status_code == 200
    assert "org_number" in response.context["form"].errors
    assert "check digit" in str(response.context["form"].errors["org_number"])
    assert not User.objects.exists()


def test_norwegian_error_text_when_the_page_is_in_bokmal(client):
    client.cookies["django_language"] = "nb"
    response = client.post(reverse("accounts:sign_up"), company_sign_up(org_number="988077918"))
    assert "kontrollsifferet" in response.content.decode()


def test_company_user_without_org_number_gets_a_field_error(client):
    response = client.post(reverse("accounts:sign_up"), company_sign_up(org_number=""))
    assert "org_number" in response.context["form"].errors
    assert not User.objects.exists()


def test_academic_user_picks_an_institution(client):
    institution = InstitutionFactory()
    data = company_sign_up(
        kind="academic", email="forsker@uni.example.org", company_name="", org_number="", institution=institution.pk
    )
    assert client.post(reverse("accounts:sign_up"), data).status_code == 302
    user = User.objects.get(email="forsker@uni.example.org")
    assert user.institution == institution
    assert user.org_number == ""


def test_academic_user_without_institution_is_refused(client):
    data = company_sign_up(kind="academic", company_name="", org_number="")
    response = client.post(reverse("accounts:sign_up"), data)
    assert "institution" in response.context["form"].errors


def test_the_same_email_cannot_sign_up_twice(client):
    UserFactory(email="ola@bedrift.example.org")
    response = client.post(reverse("accounts:sign_up"), company_sign_up())
    assert "email" in response.context["form"].errors


def test_log_in_with_email_in_any_case(client):
    UserFactory(email="kari@example.org")
    response = client.post(reverse("accounts:login"), {"username": "Kari@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_profile_completes_affiliation_and_language(client):
    user = UserFactory()
    client.force_login(user)
    institution = InstitutionFactory()
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Kari",
            "last_name": "Nordmann",
            "phone": "",
            "language": "en",
            "kind": "academic",
            "institution": institution.pk,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.kind, user.institution, user.org_number, user.language) == ("academic", institution, "", "en")
