"""Quality: a call scored on one of its firm's scorecards (clients.quality), and the agent
told. Who may score: the call's firm's people (admins and members alike — scoring is the
supervisors' daily work, defining the scorecards is the admins'), and the agency's quality
staff. The portal has no QA role: vetting admins judge the agents' skills already and read
their conduct on calls in the audit log, and agency administrators hold every staff role —
so QA staff are whoever holds the vetting role. Finance does not score calls.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Notification, User
from accounts.notifications import notification_send
from clients.models import Scorecard
from clients.services import is_firm_person
from common.audit import audit_log
from common.errors import ApplicationError, NotAllowed
from common.limits import field_check
from common.models import AuditAction
from routing.models import Call, CallScore, CallScoreItem
from routing.notices import call_scored_text

TOP_RATING = 5
CENT = Decimal("0.01")


def score_percent(pairs: Iterable[tuple[int, int]]) -> Decimal:
    """(weight, rating) pairs -> Σ weight·rating / (5·Σ weight) * 100, to the cent, halves up.

    Exact: the sums are integers, and the one division is a Decimal's, rounded once."""
    pairs = list(pairs)
    weights = sum(weight for weight, _ in pairs)
    if not weights:
        raise ApplicationError("A scorecard without criteria scores nothing.")
    points = sum(weight * rating for weight, rating in pairs)
    return (Decimal(points * 100) / Decimal(weights * TOP_RATING)).quantize(CENT, ROUND_HALF_UP)


def may_score(*, user: User, call: Call) -> bool:
    """The call's firm's people, or the agency's quality staff (the vetting role)."""
    return (user.is_active and user.has_role(User.Role.VETTING)) or is_firm_person(
        user=user, firm_id=call.firm_id
    )


def _ratings_check(scorecard: Scorecard, ratings: dict[int, int]) -> list[tuple]:
    criteria = list(scorecard.criteria.order_by("position", "pk"))
    known = {c.pk for c in criteria}
    if set(ratings) - known:
        raise ApplicationError("A rating for a criterion this scorecard does not have.")
    missing = [c.label for c in criteria if ratings.get(c.pk) is None]
    if missing:
        raise ApplicationError(f"Rate every criterion: {', '.join(missing)}.", field="ratings")
    for c in criteria:
        field_check(CallScoreItem, "rating", ratings[c.pk], field=f"rating_{c.pk}")
    return [(c, ratings[c.pk]) for c in criteria]


@transaction.atomic
def call_score(
    *,
    call_id: int,
    scorer: User,
    scorecard_id: int,
    ratings: dict[int, int],
    comment: str = "",
) -> CallScore:
    """Score an answered call; scoring it again on the same scorecard replaces the scorer's
    ratings and comment (one score per call, scorecard and scorer). The agent is told once,
    on the first score (the notice's key is the score)."""
    # Locked: the call is the score's parent; two saves of the same score wait on each other.
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None or not may_score(user=scorer, call=call):
        raise NotAllowed("You cannot score this call.")
    if call.agent_id is None or call.answered_at is None:
        raise ApplicationError("Only an answered call can be scored.")
    scorecard = Scorecard.objects.filter(pk=scorecard_id, firm_id=call.firm_id).first()
    if scorecard is None:
        raise ApplicationError("No such scorecard.", field="scorecard")
    if not scorecard.is_active:
        raise ApplicationError("This scorecard is retired.", field="scorecard")
    rated = _ratings_check(scorecard, ratings)
    comment = comment.strip()
    field_check(CallScore, "comment", comment)
    percent = score_percent((c.weight, rating) for c, rating in rated)
    score = CallScore.objects.filter(call=call, scorecard=scorecard, scorer=scorer).first()
    before = {"percent": str(score.percent), "comment": score.comment} if score else None
    if score is None:
        try:
            with transaction.atomic():  # routing_callscore_once: the lock above makes it rare
                score = CallScore.objects.create(
                    call=call,
                    scorecard=scorecard,
                    agent_id=call.agent_id,
                    firm_id=call.firm_id,
                    scorer=scorer,
                    percent=percent,
                    comment=comment,
                )
        except IntegrityError as error:
            raise ApplicationError("You have just scored this call; reload the page.") from error
    else:
        score.percent, score.comment = percent, comment
        score.save(update_fields=["percent", "comment"])
        score.items.all().delete()
    # The label and weight as they are now: a later edit of the scorecard leaves them be.
    CallScoreItem.objects.bulk_create(
        [
            CallScoreItem(score=score, criterion=c, label=c.label, weight=c.weight, rating=rating)
            for c, rating in rated
        ]
    )
    audit_log(
        actor=scorer,
        action=AuditAction.CALL_SCORED,
        target=call,
        before=before,
        after={"percent": str(percent), "comment": comment},
        scorecard=scorecard.pk,
        agent=call.agent_id,
    )
    title, body = call_scored_text(score=score, line_name=call.line.name)
    notification_send(
        users=User.objects.filter(agent_profile__pk=call.agent_id),
        kind=Notification.Kind.CALL_SCORED,
        title=title,
        body=body,
        url=reverse("agent_calls:quality"),
        key=f"call-score:{score.pk}",
    )
    return score
