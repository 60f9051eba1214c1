class ApplicationError(Exception):
    """A rule of the domain said no. Services raise it; views and the API render it as a 4xx.

    `field` names the form field the message belongs to (None: the whole form);
    `extra` carries machine-readable detail for API clients.
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The request is well formed but clashes with the current state (an illegal transition)."""

    status_code = 409


class ServiceUnavailableError(ApplicationError):
    """A service we depend on (the task queue's broker) cannot be reached right now; nothing
    about the request is wrong, and trying again later may work. The API answers 503."""

    status_code = 503


class NotAllowed(ApplicationError):
    """The actor's own role does not allow this: a service's own check, whatever the view
    let through (403)."""

    status_code = 403


def require_role(user, *roles: str, message: str = "Your role does not allow this.") -> None:
    """The actor holds one of `roles` (`User.has_role`: an administrator holds every staff
    role). Services call it themselves, so a page that forgets its check still refuses."""
    if user is None or not user.is_active or not any(user.has_role(role) for role in roles):
        raise NotAllowed(message)
