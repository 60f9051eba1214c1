"""The firm's quality scorecards: criteria with weights, which calls are scored on
(routing.services.quality). Firm admins only; every save is audited.

A score keeps each criterion's label and weight as they were (routing.CallScoreItem), so a
scorecard is edited freely: relabelling, reweighting or removing a criterion changes the
scores given from then on, never the past ones.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from clients.models import ClientFirm, Scorecard, ScorecardCriterion
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError
from common.limits import field_check
from common.models import AuditAction

MAX_CRITERIA = 20  # a form a scorer fills in while listening back to one call


@dataclass(frozen=True)
class CriterionInput:
    """One row of the form: `criterion_id` None for a new criterion."""

    label: str
    weight: int
    position: int
    criterion_id: int | None = None


def _criteria_check(criteria: list[CriterionInput]) -> list[CriterionInput]:
    if not criteria:
        raise ApplicationError("Give the scorecard at least one criterion.", field="criteria")
    if len(criteria) > MAX_CRITERIA:
        raise ApplicationError(f"A scorecard has at most {MAX_CRITERIA} criteria.")
    labels = [c.label.strip() for c in criteria]
    if len({label.casefold() for label in labels}) != len(labels):
        raise ApplicationError("Two criteria have the same label.", field="criteria")
    for row in criteria:
        field_check(ScorecardCriterion, "label", row.label.strip(), field="criteria")
        field_check(ScorecardCriterion, "weight", row.weight, field="criteria")
        field_check(ScorecardCriterion, "position", row.position, field="criteria")
    return criteria


@transaction.atomic
def scorecard_save(
    *,
    firm: ClientFirm,
    user: User,
    scorecard_id: int | None = None,
    name: str,
    is_active: bool = True,
    criteria: list[CriterionInput],
) -> Scorecard:
    """Create a scorecard (scorecard_id None) or update one of the firm's: its name, whether
    scorers still use it (retired: is_active False), and its criteria — rows with an id are
    updated, rows without are added, the firm's criteria left out are removed."""
    require_firm_admin(user=user, firm=firm)
    name = " ".join(name.split())
    field_check(Scorecard, "name", name)
    criteria = _criteria_check(criteria)
    if scorecard_id is None:
        scorecard, before = Scorecard(firm=firm), None
    else:
        # Locked: two admins saving the same scorecard would interleave their criteria.
        scorecard = Scorecard.objects.select_for_update().filter(pk=scorecard_id, firm=firm).first()
        if scorecard is None:
            raise ApplicationError("No such scorecard.")
        before = _snapshot(scorecard)
    scorecard.name, scorecard.is_active = name, is_active
    try:
        with transaction.atomic():  # the name is unique per firm: a concurrent twin loses here
            scorecard.save()
    except IntegrityError as error:
        raise ApplicationError(
            "You already have a scorecard of that name.", field="name"
        ) from error
    existing = {c.pk: c for c in scorecard.criteria.all()}
    kept = set()
    for row in criteria:
        if row.criterion_id is not None and row.criterion_id not in existing:
            raise ApplicationError("A criterion of another scorecard.", field="criteria")
        criterion = existing.get(row.criterion_id) or ScorecardCriterion(scorecard=scorecard)
        criterion.label, criterion.weight = row.label.strip(), row.weight
        criterion.position = row.position
        criterion.save()
        kept.add(criterion.pk)
    # Removed criteria go; the scores that rated them keep their label and weight.
    ScorecardCriterion.objects.filter(scorecard=scorecard).exclude(pk__in=kept).delete()
    audit_log(
        actor=user,
        action=AuditAction.SCORECARD_SAVED,
        target=firm,
        before=before,
        after=_snapshot(scorecard),
        scorecard=scorecard.pk,
    )
    return scorecard


def _snapshot(scorecard: Scorecard) -> dict:
    return {
        "name": scorecard.name,
        "is_active": scorecard.is_active,
        "criteria": [
            {"label": c.label, "weight": c.weight, "position": c.position}
            for c in ScorecardCriterion.objects.filter(scorecard=scorecard)
        ],
    }
