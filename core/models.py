from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """An e-mail to send, written in the transaction of the change it tells about and sent by a Celery task after
    the commit (`core.outbox`).

    The row names what to send, not the message: a `kind` that an app registered (`booking.confirmed`), the id of
    the object it is about and a small JSON payload. The owning app's renderer makes the messages at send time,
    from the data as it is then, in each recipient's language. The outbox makes the e-mail as durable as the change
    itself: nothing is lost between the commit and the broker, and the web request only writes a row. A sent row
    is deleted; one that fails waits until `send_after` and is tried again.
    """

    kind = models.CharField(_("kind"), max_length=64)
    object_id = models.BigIntegerField(_("object id"))
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        indexes = [models.Index(fields=["send_after", "id"], name="core_outgoing_email_due")]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self):
        return f"{self.kind} {self.object_id}"
