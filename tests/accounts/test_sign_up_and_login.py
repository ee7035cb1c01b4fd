"""Sign-up, e-mail verification and log-in through allauth, in the portal's pages and both languages."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import link_in_last_mail
from tests.factories import PASSWORD, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "lab-time-at-last-42"


def company_sign_up(**overrides):
    data = {
        "kind": "company",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "email": "Ola@Bedrift.example.org",
        "password1": STRONG_PASSWORD,
        "company_name": "Bedrift AS",
        "org_number": "988 077 917",
        "language": "nb",
    }
    data.update(overrides)
    return data


def test_company_user_signs_up_verifies_the_address_and_is_then_logged_in(client):
    response = client.post(reverse("account_signup"), company_sign_up())
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ola@bedrift.example.org")
    membership = user.memberships.select_related("organisation").get()
    # The register cannot be reached in tests: the organisation is saved unverified under the name given, and the
    # first member waits for a platform admin.
    assert (membership.organisation.org_number, membership.organisation.name, user.kind) == (
        "988077917", "Bedrift AS", "company"
    )  # fmt: skip
    assert (membership.state, membership.role, membership.organisation.register_state) == (
        "pending", "admin", "unverified"
    )  # fmt: skip
    assert not EmailAddress.objects.get(user=user).verified
    # Not signed in, and a log-in before verifying only sends the link again.
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.post(reverse("account_login"), {"login": "ola@bedrift.example.org", "password": STRONG_PASSWORD})
    assert "_auth_user_id" not in client.session
    confirm = link_in_last_mail()
    assert client.get(confirm).status_code == 200  # a page with a button: a mail filter's GET confirms nothing
    assert not EmailAddress.objects.get(user=user).verified
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    login = client.post(reverse("account_login"), {"login": "Ola@Bedrift.example.org", "password": STRONG_PASSWORD})
    assert login.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_the_verification_e_mail_is_in_the_page_language(client):
    client.cookies["django_language"] = "en"
    client.post(reverse("account_signup"), company_sign_up())
    assert "Ola@Bedrift.example.org".lower() in mail.outbox[-1].to
    assert mail.outbox[-1].subject.startswith("[Labtorget]")


@pytest.mark.parametrize("state", ["replayed", "forged"])
def test_a_used_or_wrong_confirmation_link_gives_a_clear_page(client, english, state):
    client.post(reverse("account_signup"), company_sign_up())
    confirm = link_in_last_mail()
    if state == "replayed":
        client.post(confirm)
        client.post(reverse("account_logout"))
    else:
        confirm = confirm.rstrip("/") + "x/"
    page = client.get(confirm).content.decode()
    assert "This confirmation link has expired, has been used already or is not valid." in page


def test_wrong_check_digit_is_refused_with_the_error_on_the_org_number_field(client, english):
    response = client.post(reverse("account_signup"), company_sign_up(org_number="988077918"))
    assert response.status_code == 200
    assert "org_number" in response.context["form"].errors
    assert "check digit" in str(response.context["form"].errors["org_number"])
    assert not User.objects.exists()


def test_norwegian_error_text_when_the_page_is_in_bokmal(client):
    client.cookies["django_language"] = "nb"
    response = client.post(reverse("account_signup"), company_sign_up(org_number="988077918"))
    page = response.content.decode()
    assert "kontrollsifferet" in page and "Opprett konto" in page


def test_company_user_without_org_number_gets_a_field_error(client):
    response = client.post(reverse("account_signup"), company_sign_up(org_number=""))
    assert "org_number" in response.context["form"].errors
    assert not User.objects.exists()


def test_academic_user_picks_an_institution(client):
    institution = InstitutionFactory()
    data = company_sign_up(
        kind="academic", email="forsker@uni.example.org", company_name="", org_number="", institution=institution.pk
    )
    assert client.post(reverse("account_signup"), data).status_code == 302
    user = User.objects.get(email="forsker@uni.example.org")
    assert user.institution == institution
    assert not user.memberships.exists()
    assert user.affiliation.state == "pending"


def test_academic_user_without_institution_is_refused(client):
    data = company_sign_up(kind="academic", company_name="", org_number="")
    response = client.post(reverse("account_signup"), data)
    assert "institution" in response.context["form"].errors


def test_a_weak_password_is_refused_on_the_password_field(client):
    response = client.post(reverse("account_signup"), company_sign_up(password1="12345678"))
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


def test_signing_up_with_a_taken_address_looks_like_any_sign_up_and_tells_the_owner_by_e_mail(client):
    UserFactory(email="ola@bedrift.example.org")
    response = client.post(reverse("account_signup"), company_sign_up())
    fresh = client.post(reverse("account_signup"), company_sign_up(email="ny@bedrift.example.org"))
    assert response.status_code == fresh.status_code == 302
    assert response["Location"] == fresh["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="ola@bedrift.example.org").count() == 1
    assert [m.to for m in mail.outbox] == [["ola@bedrift.example.org"], ["ny@bedrift.example.org"]]


def test_log_in_with_email_in_any_case(client):
    UserFactory(email="kari@example.org")
    response = client.post(reverse("account_login"), {"login": "Kari@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_a_wrong_password_names_no_account(client, english):
    UserFactory(email="kari@example.org")
    known = client.post(reverse("account_login"), {"login": "kari@example.org", "password": "wrong"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_the_old_names_of_the_log_in_pages_still_lead_there(client):
    assert reverse("accounts:login") == reverse("account_login")
    assert reverse("accounts:sign_up") == reverse("account_signup")
    assert client.get(reverse("accounts:login")).status_code == 200


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
    assert (user.kind, user.institution, user.language) == ("academic", institution, "en")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_account_pages_render_in_both_languages(client, language):
    client.cookies["django_language"] = language
    expected = {"nb": "Logg inn", "en": "Log in"}[language]
    for name in ("account_login", "account_signup", "account_reset_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
    assert expected in client.get(reverse("account_login")).content.decode()
    client.force_login(UserFactory())
    for name in ("account_email", "account_change_password", "mfa_index", "socialaccount_connections",
                 "accounts:api_tokens", "account_reauthenticate"):  # fmt: skip
        assert client.get(reverse(name)).status_code == 200, name
