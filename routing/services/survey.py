"""The post-call survey: after the agent hangs up, a caller still on the line rates the call
on the keypad (1-5), on lines with the survey on (`PhoneLine.survey_enabled`).

The score is stored once: the first one wins (a compare-and-set on `survey_score IS NULL`),
so a provider's retry, or a second keypress, never changes it. The survey runs after the
agent's leg ended: the talk billed is the agent leg's (`<Dial>`'s DialCallDuration, or the
generic API's `completed` duration), and the survey's seconds are never part of it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError, ConflictError
from routing.models import SURVEY_SCORE, Call


def survey_offered(call: Call) -> bool:
    """Whether the caller hears the survey now: the call completed with an agent, the line
    has it on, the caller is still on the line and has not rated it yet."""
    return (
        call.status == Call.Status.COMPLETED
        and call.line.survey_enabled
        and call.caller_left_at is None
        and call.survey_score is None
    )


@transaction.atomic
def call_survey_record(*, call_id: int, score: int, at: dt.datetime | None = None) -> Call:
    """Store the caller's rating of a completed call. The same score again is a repeat and
    changes nothing; another score once one is stored is refused (ConflictError)."""
    if not SURVEY_SCORE.low <= score <= SURVEY_SCORE.high:
        raise ApplicationError(
            f"A survey score is {SURVEY_SCORE.low} to {SURVEY_SCORE.high}.", field="score"
        )
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.survey_score is not None:
        if call.survey_score == score:
            return call  # a repeat: the first score stays
        raise ConflictError("This call was rated already; a survey score is stored once.")
    if call.status != Call.Status.COMPLETED:
        raise ConflictError("Only a completed call can be rated.")
    if not call.line.survey_enabled:
        raise ConflictError("This line's survey is off.")
    call.survey_score, call.surveyed_at = score, at or timezone.now()
    call.save(update_fields=["survey_score", "surveyed_at"])
    return call
