from accounts import selectors
from accounts.middleware import EMAIL_UNVERIFIED_SESSION_KEY


def account(request):
    """Whether the signed-in person must still verify their e-mail address (the banner in base.html).

    The log-in marks the session of a person whose address is not verified (accounts.signals); only then is the
    address looked up, until it is verified, so that other people's pages cost no query for it.
    """
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)

    def unverified() -> bool:
        if session is None or not session.get(EMAIL_UNVERIFIED_SESSION_KEY):
            return False
        if user is not None and user.is_authenticated and not selectors.email_verified(user):
            return True
        session.pop(EMAIL_UNVERIFIED_SESSION_KEY, None)
        return False

    return {"account_email_unverified": unverified}
