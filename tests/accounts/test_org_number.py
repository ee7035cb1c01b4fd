import pytest
from django.core.exceptions import ValidationError

from core.validators import format_org_number, validate_org_number


def test_valid_number_from_the_domain_primer_passes():
    validate_org_number("988077917")


@pytest.mark.parametrize(
    ("value", "code"),
    [("988077918", "org_number_checksum"), ("98807791", "org_number_length"), ("98807791X", "org_number_format")],
)
def test_wrong_numbers_get_an_error_that_says_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_org_number(value)
    assert error.value.code == code


def test_numbers_are_shown_in_groups_of_three():
    assert format_org_number("988077917") == "988 077 917"
