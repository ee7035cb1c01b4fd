"""The signed link a facility's contact person answers a routing with, without an account.

The link carries the routing's id and its single-use nonce, signed with the site's secret key (django.core.signing)
and timed: it expires INTAKE_ANSWER_LINK_DAYS after the e-mail is made, and using it clears the nonce, so a second
use, an older link or a tampered one finds nothing.
"""

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from core.errors import DomainError

SALT = "intake.routing-answer"


def answer_token_make(routing) -> str:
    return signing.dumps({"routing": routing.pk, "nonce": routing.answer_nonce}, salt=SALT)


def answer_token_read(token: str) -> tuple[int, str]:
    """The routing id and nonce the token names; DomainError (field `token`) when it is expired or tampered with."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.INTAKE_ANSWER_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise DomainError(
            _("This link has expired. Ask the screener to send the request again."), field="token", code="expired"
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This link is not valid."), field="token", code="invalid_token") from None
    if not isinstance(data, dict) or not isinstance(data.get("routing"), int) or not data.get("nonce"):
        raise DomainError(_("This link is not valid."), field="token", code="invalid_token")
    return data["routing"], str(data["nonce"])
