"""Helpers for the quality and callback tests: a firm's scorecard, an answered call."""

from clients.models import Scorecard, ScorecardCriterion
from tests.routing.analytics_data import at, make_call


def scorecard(firm, *weights: int, name: str = "Call quality") -> Scorecard:
    """A scorecard of `firm` with one criterion per weight, labelled C1, C2…"""
    card = Scorecard.objects.create(firm=firm, name=name)
    for i, weight in enumerate(weights or (1,), start=1):
        ScorecardCriterion.objects.create(scorecard=card, label=f"C{i}", weight=weight, position=i)
    return card


def answered_call(line, agent, *, days_ago: int = 1, hour: int = 10, **extra):
    return make_call(line, at(days_ago, hour), agent=agent, **extra)


def ratings(card, *values: int) -> dict[int, int]:
    return dict(
        zip(card.criteria.order_by("position").values_list("pk", flat=True), values, strict=True)
    )
