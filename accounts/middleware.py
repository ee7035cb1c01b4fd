"""Admins set up MFA before anything else while it is required (ACCOUNTS_MFA_REQUIRED_FOR_ADMINS)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts import selectors

# allauth's pages (MFA set-up, e-mail verification, log-out) and what every page needs; not the profile and its
# API tokens, which are "anything else".
OPEN_PREFIXES = ("/accounts/", "/i18n/")
CLOSED_PREFIXES = ("/accounts/profile/",)

# Set at log-in for an admin who has no authenticator app yet; cleared once they have one.
MFA_SETUP_SESSION_KEY = "accounts_mfa_setup_required"
# Set at log-in for a person whose e-mail address is not verified (the banner); cleared once it is.
EMAIL_UNVERIFIED_SESSION_KEY = "accounts_email_unverified"


def login_note(*, request, user) -> None:
    """At log-in: remember in the session whether this person must still set up MFA or verify the address (two
    queries then, none on later pages for everybody else)."""
    for key, pending in (
        (MFA_SETUP_SESSION_KEY, selectors.mfa_setup_required(user)),
        (EMAIL_UNVERIFIED_SESSION_KEY, not selectors.email_verified(user)),
    ):
        if pending:
            request.session[key] = True
        else:
            request.session.pop(key, None)


class AdminMfaMiddleware:
    """Sends a signed-in admin without an authenticator app to set one up, from every page but allauth's account
    pages (where the set-up, e-mail verification and log-out live) and static files.

    The log-in marks the session (accounts.signals), so other people's requests cost nothing here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(MFA_SETUP_SESSION_KEY):
            response = self.mfa_redirect(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def mfa_redirect(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not selectors.mfa_setup_required(user):
            request.session.pop(MFA_SETUP_SESSION_KEY, None)
            return None
        path = request.path_info
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if path.startswith(OPEN_PREFIXES) and not path.startswith(CLOSED_PREFIXES):
            return None
        return redirect(reverse("mfa_activate_totp"))
