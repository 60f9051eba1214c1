"""A team lead's coaching notes on their team's calls (issue 19)."""

from django.db import transaction

from accounts.models import User
from common.errors import ApplicationError, require_role
from routing.models import COACHING_NOTE_MAX, Call, CoachingNote
from teams.models import FranchiseMember


@transaction.atomic
def coaching_note_add(*, lead: User, call: Call, text: str) -> CoachingNote:
    """Write a note on a call held by an agent of the lead's own team. The agent reads it
    beside their call-quality scores; the lead on the call's page."""
    require_role(lead, User.Role.TEAM_LEAD, message="Only a team lead writes coaching notes.")
    text = text.strip()
    if not text:
        raise ApplicationError("Write the note.", field="text")
    if len(text) > COACHING_NOTE_MAX:
        raise ApplicationError(f"At most {COACHING_NOTE_MAX} characters.", field="text")
    if (
        call.agent_id is None
        or not FranchiseMember.objects.filter(agent_id=call.agent_id, franchise__lead=lead).exists()
    ):
        raise ApplicationError("This call is not one of your team's.")  # the page 404s first
    return CoachingNote.objects.create(call=call, author=lead, text=text)
