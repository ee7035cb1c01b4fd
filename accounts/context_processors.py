from accounts import selectors


def account(request):
    """Whether the signed-in person must still verify their e-mail address (the banner in base.html); asked only
    when a page shows it."""
    user = getattr(request, "user", None)
    return {"account_email_unverified": lambda: bool(user and user.is_authenticated and not selectors.email_verified(user))}
