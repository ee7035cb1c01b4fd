"""Bokmål for the Django REST framework error messages that DRF's own catalogue leaves untranslated.

Never imported: the gettext_noop marks only put these messages in the project catalogue (locale/nb), which
Django consults before DRF's, so a 400 from the API reads Norwegian on a Bokmål request. The texts must stay
exactly DRF's (rest_framework/fields.py and relations.py), placeholders included.
"""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("A valid biginteger is required."),
    gettext_noop("Datetime value out of range."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
    gettext_noop("Integer value too large to convert to float"),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    gettext_noop("This dictionary may not be empty."),
)
