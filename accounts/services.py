"""Writes for accounts: sign-up, profile, API tokens."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.choices import UserKind
from accounts.models import User
from accounts.validators import normalise_org_number
from config.errors import DomainError


@transaction.atomic
def user_sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    kind: str,
    company_name: str = "",
    org_number: str = "",
    institution=None,
    language: str = "nb",
) -> User:
    """Create a company or academic user. Company users need company name and organisation number, academic
    users an institution; `full_clean` gives field-named errors for everything else."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        first_name=first_name,
        last_name=last_name,
        kind=kind,
        company_name=company_name if kind == UserKind.COMPANY else "",
        org_number=normalise_org_number(org_number) if kind == UserKind.COMPANY else "",
        institution=institution if kind == UserKind.ACADEMIC else None,
        language=language,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    if kind == UserKind.COMPANY and not (user.company_name and user.org_number):
        raise DomainError(_("Company users give company name and organisation number."), field="org_number")
    if kind == UserKind.ACADEMIC and user.institution is None:
        raise DomainError(_("Academic users pick their institution."), field="institution")
    user.save()
    return user


def api_token_obtain(*, email: str, password: str) -> str:
    """Return the user's API token (created on first use) for a correct e-mail and password."""
    user = authenticate(username=(email or "").lower(), password=password)
    if user is None:
        raise DomainError(_("Wrong e-mail address or password."), field="password", code="authentication_failed")
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def user_update_profile(*, user: User, first_name: str, last_name: str, phone: str, language: str) -> User:
    """Save the user's name, phone and preferred e-mail language."""
    user.first_name, user.last_name, user.phone, user.language = first_name, last_name, phone, language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "phone", "language"])
    return user
