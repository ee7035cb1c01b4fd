"""Booking forms: parse input for the portal pages; the rules live in booking.services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from booking.choices import ClosureKind, ConflictMode, Frequency
from booking.models import BookingPolicy, OpeningHours
from catalogue.choices import AccessModel
from catalogue.models import Category, Facility, Institution

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BookingForm(forms.Form):
    """A booking request. There is no activity or tier to choose: pricing decides them from verified facts, and
    the page shows the price and why. A collaboration agreement is offered only when one names the person."""

    start = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=pgettext_lazy("end of a period of time", "End"), widget=DATETIME_WIDGET)
    access_model = forms.ChoiceField(label=_("Access model"), choices=AccessModel.choices, initial=AccessModel.RENTAL)
    collaboration_agreement = forms.TypedChoiceField(
        label=_("Collaboration agreement"), coerce=int, empty_value=None, required=False,
        help_text=_("For collaboration research: the approved agreement it belongs to."),
    )  # fmt: skip
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=[("", _("Does not repeat")), *Frequency.choices], required=False
    )
    count = forms.IntegerField(label=_("Number of occurrences"), min_value=1, max_value=200, required=False)
    until = forms.DateField(label=_("Repeat until"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    mode = forms.ChoiceField(label=_("If a date is taken"), choices=ConflictMode.choices, required=False)

    organisation = forms.TypedChoiceField(
        label=_("Who pays"), coerce=int, empty_value=None, required=False,
        help_text=_("The organisation the booking is for; it is invoiced to it."),
    )  # fmt: skip

    def __init__(self, *args, agreements=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only organisations the person is an approved member of; the service checks it again (not_a_member).
        if len(organisations) > 1:
            self.fields["organisation"].choices = [(org.pk, str(org)) for org in organisations]
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]
        if agreements:
            self.fields["collaboration_agreement"].choices = [("", "—")] + [
                (agreement.pk, str(agreement)) for agreement in agreements
            ]
        else:
            del self.fields["collaboration_agreement"]


class FreeCapacityForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Research field"), queryset=Category.objects.all(), required=False)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.all(), required=False)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    days = forms.IntegerField(label=_("Number of days"), min_value=1, max_value=62, initial=14, required=False)
    hours = forms.DecimalField(
        label=_("Length (hours)"), min_value=0.5, max_value=24 * 7, initial=4, decimal_places=1, required=False
    )

    def period(self):
        data = self.cleaned_data
        day = data.get("start") or timezone.localdate()
        start = max(timezone.make_aware(datetime.datetime.combine(day, datetime.time())), timezone.now())
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time())) + datetime.timedelta(
            days=data.get("days") or 14
        )
        duration = datetime.timedelta(hours=float(data.get("hours") or 4))
        return start, end, duration


class BookingPolicyForm(forms.ModelForm):
    class Meta:
        model = BookingPolicy
        fields = [
            "slot_minutes", "min_length_minutes", "max_length_minutes", "min_notice_minutes", "max_advance_days",
            "buffer_minutes", "requires_approval", "requires_qualification", "cancellation_deadline_hours",
            "approval_deadline_hours", "booked_in_local_system", "local_system_name", "local_booking_url",
        ]  # fmt: skip


OpeningHoursFormSet = forms.inlineformset_factory(
    BookingPolicy,
    OpeningHours,
    fields=["weekday", "opens", "closes"],
    extra=2,
    can_delete=True,
    widgets={"opens": forms.TimeInput(attrs={"type": "time"}), "closes": forms.TimeInput(attrs={"type": "time"})},
)


class ClosureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ClosureKind.choices)
    start = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=pgettext_lazy("end of a period of time", "End"), widget=DATETIME_WIDGET)
    internal_note = forms.CharField(label=_("Internal note (not shown to users)"), max_length=300, required=False)


class QualificationForm(forms.Form):
    email = forms.EmailField(label=_("The user's e-mail address"))
    expires_on = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def clean_email(self):
        user = User.objects.filter(email__iexact=self.cleaned_data["email"]).first()
        if user is None:
            raise forms.ValidationError(_("No user has this e-mail address."))
        self.cleaned_data["user"] = user
        return self.cleaned_data["email"]


class DecisionForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Requests"))
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        help_text=_("Needed to reject: the person who asked is told it. Optional when approving."),
    )  # fmt: skip

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = choices


class UseForm(forms.Form):
    """The manager's use page: the selected bookings, what to record for them and, to adjust the used time, the
    minutes each one was used (a field per booking, `used_<id>`) and one reason."""

    ACTIONS = [
        ("complete", _("Mark completed")),
        ("no_show", _("Mark no-show")),
        ("adjust", _("Adjust the used time")),
    ]
    ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Bookings"))
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label=_("Reason (for a no-show or another used time)"), required=False, max_length=2000)

    def __init__(self, *args, bookings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = {booking.pk: booking for booking in bookings}
        self.fields["ids"].choices = [(pk, pk) for pk in self.bookings]
        for pk in self.bookings:
            self.fields[f"used_{pk}"] = forms.IntegerField(
                label=_("Minutes used"), required=False, min_value=1, max_value=366 * 24 * 60
            )

    def used_field(self, booking):
        return self[f"used_{booking.pk}"]

    def decisions(self) -> list[tuple[int, str, datetime.datetime | None]]:
        """(booking id, action, used end) for bookings_use_record; the end is the start plus the minutes used."""
        action = self.cleaned_data["action"]
        decisions = []
        for pk in self.cleaned_data["ids"]:
            end = None
            minutes = self.cleaned_data.get(f"used_{pk}")
            if action == "adjust" and minutes:
                end = self.bookings[pk].start + datetime.timedelta(minutes=minutes)
            decisions.append((pk, action, end))
        return decisions


class FacilityBookingsFilterForm(forms.Form):
    """Filters of a manager's list of bookings: one of the managed facilities, a period, the status."""

    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.none(), required=False)
    starts_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    starts_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Pending and confirmed")), ("pending", _("Pending approval")), ("confirmed", _("Confirmed"))],
        required=False,
    )

    def __init__(self, *args, facility_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.filter(pk__in=facility_ids).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("starts_from") and data.get("starts_to") and data["starts_to"] < data["starts_from"]:
            self.add_error("starts_to", _("The end of the period must not be before its start."))
        return data

    def period(self):
        """The period as aware datetimes in local time; the end date is included."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start = end = None
        if data.get("starts_from"):
            start = timezone.make_aware(datetime.datetime.combine(data["starts_from"], datetime.time()))
        if data.get("starts_to"):
            end = timezone.make_aware(
                datetime.datetime.combine(data["starts_to"] + datetime.timedelta(days=1), datetime.time())
            )
        return start, end


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    charge_late = forms.BooleanField(
        label=_("The user asked to cancel late – charge the late-cancellation fee"), required=False
    )


class MoveBookingForm(forms.Form):
    start = forms.DateTimeField(label=_("New start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("New end"), widget=DATETIME_WIDGET)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class ServiceOrderCloseForm(forms.Form):
    """Deliver or cancel one service order, with an optional note (what was delivered, why it was cancelled)."""

    order = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("deliver", _("Mark delivered")), ("cancel", _("Cancel the order"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
