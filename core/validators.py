"""Norwegian organisation numbers (organisasjonsnummer): 9 digits with a MOD11 check digit. In core because
institutions (catalogue), people (accounts) and requests (intake) all carry one."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr


def normalise_org_number(value: str) -> str:
    """Strip spaces and separators: '988 077 917' -> '988077917'."""
    return orgnr.compact(value or "")


def validate_org_number(value: str) -> None:
    """Raise a ValidationError that tells the user what is wrong with the number."""
    try:
        orgnr.validate(value)
    except InvalidLength:
        raise ValidationError(_("An organisation number has exactly 9 digits."), code="org_number_length") from None
    except InvalidFormat:
        raise ValidationError(_("An organisation number has digits only."), code="org_number_format") from None
    except InvalidChecksum:
        raise ValidationError(
            _("This is not a valid organisation number: the check digit does not match. Check for typing errors."),
            code="org_number_checksum",
        ) from None


def format_org_number(value: str) -> str:
    """Show as 'NNN NNN NNN'."""
    compact = normalise_org_number(value)
    return orgnr.format(compact) if len(compact) == 9 else value
