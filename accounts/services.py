"""Writes for accounts: sign-up, profile, API tokens."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.choices import UserKind
from accounts.models import User
from core.errors import DomainError
from core.validators import normalise_org_number


def _apply_affiliation(user: User, *, kind: str, company_name: str, org_number: str, institution) -> None:
    """Company users carry company name and organisation number, academic users an institution; never both."""
    user.kind = kind
    if kind == UserKind.COMPANY:
        user.company_name, user.org_number, user.institution = company_name, normalise_org_number(org_number), None
        if not user.company_name:
            raise DomainError(_("Company users give the company's name."), field="company_name")
        if not user.org_number:
            raise DomainError(_("Company users give the company's organisation number."), field="org_number")
    else:
        user.company_name, user.org_number, user.institution = "", "", institution
        if institution is None:
            raise DomainError(_("Academic users pick their institution."), field="institution")


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
    """Create a company or academic user; `full_clean` gives field-named errors for the rest."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    _apply_affiliation(user, kind=kind, company_name=company_name, org_number=org_number, institution=institution)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str,
    language: str,
    kind: str,
    company_name: str = "",
    org_number: str = "",
    institution=None,
) -> User:
    """Save name, phone, e-mail language and affiliation."""
    user.first_name, user.last_name, user.phone, user.language = first_name, last_name, phone, language
    _apply_affiliation(user, kind=kind, company_name=company_name, org_number=org_number, institution=institution)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def api_token_obtain(*, email: str, password: str) -> str:
    """Return the user's API token (created on first use) for a correct e-mail and password."""
    user = authenticate(username=(email or "").lower(), password=password)
    if user is None:
        raise DomainError(_("Wrong e-mail address or password."), field="password", code="authentication_failed")
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
