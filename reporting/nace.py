"""The sections of NACE Rev. 2 (SN2007 in Norway): the sector a company belongs to, from its NACE code."""

from django.utils.translation import gettext_lazy as _

# (first division, last division, section letter, label), in NACE order.
SECTIONS = (
    (1, 3, "A", _("Agriculture, forestry and fishing")),
    (5, 9, "B", _("Mining and quarrying")),
    (10, 33, "C", _("Manufacturing")),
    (35, 35, "D", _("Electricity, gas and heating supply")),
    (36, 39, "E", _("Water supply, sewerage and waste")),
    (41, 43, "F", _("Construction")),
    (45, 47, "G", _("Wholesale and retail trade")),
    (49, 53, "H", _("Transport and storage")),
    (55, 56, "I", _("Accommodation and food service")),
    (58, 63, "J", _("Information and communication")),
    (64, 66, "K", _("Financial and insurance activities")),
    (68, 68, "L", _("Real estate activities")),
    (69, 75, "M", _("Professional, scientific and technical activities")),
    (77, 82, "N", _("Administrative and support services")),
    (84, 84, "O", _("Public administration and defence")),
    (85, 85, "P", _("Education")),
    (86, 88, "Q", _("Human health and social work")),
    (90, 93, "R", _("Arts, entertainment and recreation")),
    (94, 96, "S", _("Other service activities")),
    (97, 98, "T", _("Households as employers")),
    (99, 99, "U", _("Extraterritorial organisations")),
)
UNKNOWN = "X"
UNKNOWN_LABEL = _("Sector not known")
LABELS = {letter: label for _first, _last, letter, label in SECTIONS} | {UNKNOWN: UNKNOWN_LABEL}
ORDER = [letter for _first, _last, letter, _label in SECTIONS] + [UNKNOWN]


def section_of(nace_code: str) -> str:
    """The section letter of a NACE code ("72.110" -> "M"); "X" when the code is empty or not a NACE code."""
    digits = "".join(character for character in (nace_code or "") if character.isdecimal())[:2]
    if len(digits) < 2:
        return UNKNOWN
    division = int(digits)
    for first, last, letter, _label in SECTIONS:
        if first <= division <= last:
            return letter
    return UNKNOWN


def section_label(letter: str):
    return LABELS.get(letter, UNKNOWN_LABEL)
