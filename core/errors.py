"""Domain exceptions raised by services. Views and the API turn them into messages and status codes."""

from django.utils.encoding import force_str


class DomainError(Exception):
    """A business rule was broken. `field` names the input at fault, `code` the rule."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid", extra: dict | None = None):
        super().__init__(force_str(message))
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}

    def as_dict(self) -> dict:
        body = {"detail": force_str(self.message), "code": self.code}
        if self.field:
            body[self.field] = [force_str(self.message)]
        body.update(self.extra)
        return body


class ConflictError(DomainError):
    """The request collides with the current state (a taken slot, an illegal state transition)."""

    def __init__(self, message, *, code: str = "conflict", **kwargs):
        super().__init__(message, code=code, **kwargs)
