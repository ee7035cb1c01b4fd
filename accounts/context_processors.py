from accounts import selectors


def account(request):
    """Whether the signed-in person must still verify their e-mail address (the banner in base.html); asked only
    when a page shows it."""
    user = getattr(request, "user", None)

    def unverified() -> bool:
        return bool(user is not None and user.is_authenticated and not selectors.email_verified(user))

    return {"account_email_unverified": unverified}
