"""Writes for booking. Callers use the names exported here; the modules split the work:

- `rules`: whether a resource can be booked, every booking rule but overlap, recurring series (a core rule module);
- `storing`: the slot check and the insert that holds the slot (the booking path);
- `bookings`: create, series, cancel, move, reminders;
- `orders`: service orders (staff-run work at an agreed price, from an accepted intake quote);
- `decisions`: approve, reject, decide many at once, expire unanswered requests;
- `use`: complete, no-show, adjust the time used, record a use after the fact, complete what has ended;
- `changes`: what those share (the payer and price a booking carries, the locked row, a status change);
- `calendar`: qualifications, closures and calendar feed tokens.

The booking e-mails are queued in core's outbox by `booking.emails.outbox_write`, in the booking's transaction.
"""

from booking.services.bookings import (
    SeriesResult,
    booking_cancel,
    booking_create,
    booking_move,
    booking_reminders_send,
    booking_series_create,
)
from booking.services.calendar import (
    booking_policy_save,
    closure_create,
    closure_delete,
    facility_feed_tokens_get,
    feed_token_get,
    feed_token_renew,
    public_holiday_closures,
    public_holiday_closures_create,
    qualification_grant,
    qualification_revoke,
)
from booking.services.decisions import booking_approve, booking_reject, bookings_decide, pending_bookings_expire
from booking.services.orders import service_order_cancel, service_order_create, service_order_deliver
from booking.services.rules import (
    MAX_SERIES_LENGTH,
    bookability_refusal,
    booking_rules_validate,
    offer_refusal,
    recurrence_expand,
    resource_bookability,
    resource_orderability,
)
from booking.services.storing import OVERLAP_CONSTRAINT
from booking.services.use import (
    booking_complete,
    booking_no_show_mark,
    booking_use_adjust,
    bookings_complete_due,
    bookings_use_record,
    completed_use_record,
)

__all__ = [
    "MAX_SERIES_LENGTH", "OVERLAP_CONSTRAINT", "SeriesResult", "bookability_refusal", "booking_approve",
    "booking_cancel", "booking_complete", "booking_create", "booking_move", "booking_no_show_mark",
    "booking_policy_save", "booking_reject", "booking_reminders_send", "booking_rules_validate",
    "booking_series_create", "booking_use_adjust", "bookings_complete_due", "bookings_decide",
    "bookings_use_record", "closure_create", "closure_delete", "completed_use_record",
    "facility_feed_tokens_get", "feed_token_get", "feed_token_renew", "offer_refusal", "pending_bookings_expire",
    "public_holiday_closures", "public_holiday_closures_create", "qualification_grant", "qualification_revoke",
    "recurrence_expand", "resource_bookability",
    "resource_orderability", "service_order_cancel", "service_order_create", "service_order_deliver",
]  # fmt: skip
