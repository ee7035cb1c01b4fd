"""Password reset and change: the same answer for known and unknown addresses, a link that works once, and a clear
page for a used or expired link."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.conftest import link_in_last_mail
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-lab-password-77"


def ask_for_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_the_reset_page_answers_the_same_for_known_and_unknown_addresses(client, english):
    UserFactory(email="kari@example.org")
    known = ask_for_reset(client, "kari@example.org")
    unknown = ask_for_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done = client.get(known["Location"]).content.decode()
    assert "If the address belongs to an account" in done
    # Each address gets its own e-mail: the owner a link, the unknown one a note that there is no account.
    assert [m.to for m in mail.outbox] == [["kari@example.org"], ["nobody@example.org"]]
    assert "/password/reset/key/" in mail.outbox[0].body and "/password/reset/key/" not in mail.outbox[1].body


def reset_link(client, email="kari@example.org"):
    ask_for_reset(client, email)
    link = link_in_last_mail(r"https?://\S+/password/reset/key/\S+")
    page = client.get(link)  # allauth moves the key into the session and redirects to a key-less address
    return page["Location"] if page.status_code == 302 else link


def test_the_link_sets_a_new_password_once(client, english):
    user = UserFactory(email="kari@example.org")
    link = reset_link(client)
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = client.get(link)
    page = again.content.decode()
    assert "This link no longer works" in page and "has expired or has been used already" in page


def test_an_expired_link_gives_a_clear_page(client, english, settings):
    user = UserFactory(email="kari@example.org")
    link = reset_link(client)
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = client.get(link).content.decode()
    assert "This link no longer works" in page
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_signed_in_person_changes_the_password_with_the_old_one(client, english):
    user = UserFactory()
    client.force_login(user)
    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "oldpassword" in wrong.context["form"].errors
    right = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
