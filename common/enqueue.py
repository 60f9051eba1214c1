"""Sending a Celery task from a request, with the broker's outage as a clear answer.

`apply_async` gives up within seconds when the broker is down (CELERY_BROKER_CONNECTION_TIMEOUT
and CELERY_TASK_PUBLISH_RETRY_POLICY in config/settings.py) and raises kombu's
OperationalError; a task that keeps a result, when the Redis result store is down, a
RuntimeError (within the bounds of CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS; 19.5 s before
them). Uncaught, either is a 500. `enqueue` turns it into a ServiceUnavailableError
with a message for the user — a form error or a flash on an HTML page, a 503
`{"message", "extra"}` from the API. Work a sweep picks up later needs none of this: it is
sent after commit with `robust=True` and only logged when the broker is away.
"""

import logging

from celery import Task
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from common.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)

UNAVAILABLE = "The task queue is unavailable just now; please try again in a minute."


def enqueue(task: Task, *, args: tuple = (), message: str = UNAVAILABLE, **options) -> AsyncResult:
    """`task.apply_async(args, **options)`; a broker that cannot be reached raises
    ServiceUnavailableError(message) instead of kombu's OperationalError."""
    try:
        return task.apply_async(args, **options)
    except OperationalError as error:
        # An operator's problem, not the user's: logged once, without a traceback (the
        # broker's own error says what failed); the user gets the message.
        logger.warning("Task %s not sent, the broker is unreachable: %s", task.name, error)
        raise ServiceUnavailableError(message, extra={"retry": True}) from error
    except RuntimeError as error:
        # A task that keeps a result subscribes to the result store (Redis) before it is
        # sent; Celery reports that store's outage as a RuntimeError from its own error.
        if not isinstance(error.__cause__, _result_store_errors(task)):
            raise
        logger.warning(
            "Task %s not sent, the result store is unreachable: %r", task.name, error.__cause__
        )
        raise ServiceUnavailableError(message, extra={"retry": True}) from error


def _result_store_errors(task: Task) -> tuple[type[BaseException], ...]:
    return tuple(getattr(task.backend, "connection_errors", ()) or ())
