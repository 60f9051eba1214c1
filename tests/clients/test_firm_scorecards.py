"""The firm's scorecards: its admins create, edit and retire them (audited); a member reads
them; another firm's scorecard is a 404; past scores keep the labels and weights they had."""

import pytest
from django.urls import reverse

from clients.models import Scorecard
from clients.quality import CriterionInput, scorecard_save
from clients.services import NotAllowed
from common.errors import ApplicationError
from common.models import AuditAction, AuditRecord
from routing.services.quality import call_score
from tests.factories import AgentProfileFactory, FirmMemberFactory, PhoneLineFactory
from tests.routing.quality_data import answered_call, ratings

pytestmark = pytest.mark.django_db


def _post(client, url, name, rows, active=True):
    data = {"name": name, **({"is_active": "on"} if active else {})}
    for i, (pk, label, weight, position) in enumerate(rows):
        data |= {f"id_{i}": pk or "", f"label_{i}": label, f"weight_{i}": weight}
        data |= {f"position_{i}": position}
    return client.post(url, data)


def test_an_admin_creates_a_scorecard_with_its_criteria_in_order(client, carol, acme):
    client.force_login(carol)
    url = reverse("clients:scorecard_new")
    assert client.get(url).status_code == 200
    response = _post(client, url, "Claims calls", [("", "Empathy", 30, 2), ("", "Greeting", 10, 1)])
    assert response.status_code == 302
    card = Scorecard.objects.get(firm=acme)
    assert [(c.label, c.weight) for c in card.criteria.order_by("position")] == [
        ("Greeting", 10),
        ("Empathy", 30),
    ]
    record = AuditRecord.objects.get(action=AuditAction.SCORECARD_SAVED)
    assert record.actor == carol and record.after["name"] == "Claims calls"
    page = client.get(reverse("clients:scorecards")).content.decode()
    assert "Claims calls" in page and "Empathy" in page


def test_weights_outside_1_to_100_and_a_scorecard_without_criteria_are_refused(client, carol):
    client.force_login(carol)
    url = reverse("clients:scorecard_new")
    assert _post(client, url, "X", [("", "Greeting", 101, 1)]).status_code == 200
    assert _post(client, url, "X", [("", "", "", "")]).status_code == 200
    assert not Scorecard.objects.exists()


def test_a_plain_member_reads_but_cannot_save(client, acme):
    member = FirmMemberFactory(firm=acme, role="member").user
    client.force_login(member)
    assert client.get(reverse("clients:scorecards")).status_code == 200
    assert (
        _post(client, reverse("clients:scorecard_new"), "X", [("", "A", 1, 1)]).status_code == 403
    )
    with pytest.raises(NotAllowed):
        scorecard_save(firm=acme, user=member, name="X", criteria=[CriterionInput("A", 1, 1)])


def test_another_firms_scorecard_is_a_404(client, carol, dave, globex):
    theirs = scorecard_save(
        firm=globex, user=dave, name="Theirs", criteria=[CriterionInput("A", 1, 1)]
    )
    client.force_login(carol)
    url = reverse("clients:scorecard", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert _post(client, url, "Mine now", [("", "A", 1, 1)]).status_code == 404
    assert "Theirs" not in client.get(reverse("clients:scorecards")).content.decode()


def test_an_edit_leaves_past_scores_as_they_were_and_retiring_keeps_them(carol, acme):
    card = scorecard_save(
        firm=acme,
        user=carol,
        name="Q",
        criteria=[CriterionInput("Greeting", 10, 1), CriterionInput("Hold", 5, 2)],
    )
    call = answered_call(PhoneLineFactory(firm=acme), AgentProfileFactory())
    score = call_score(
        call_id=call.pk, scorer=carol, scorecard_id=card.pk, ratings=ratings(card, 5, 0)
    )
    greeting, _hold = card.criteria.order_by("position")
    scorecard_save(
        firm=acme,
        user=carol,
        scorecard_id=card.pk,
        name="Q",
        is_active=False,
        criteria=[CriterionInput("Opening", 50, 1, criterion_id=greeting.pk)],  # Hold removed
    )
    card.refresh_from_db()
    assert not card.is_active and [c.label for c in card.criteria.all()] == ["Opening"]
    assert [(i.label, i.weight, i.rating) for i in score.items.all()] == [
        ("Greeting", 10, 5),
        ("Hold", 5, 0),
    ]
    score.refresh_from_db()
    assert str(score.percent) == "66.67"


def test_a_criterion_of_another_scorecard_cannot_be_edited_through_this_one(carol, acme):
    one = scorecard_save(firm=acme, user=carol, name="One", criteria=[CriterionInput("A", 1, 1)])
    two = scorecard_save(firm=acme, user=carol, name="Two", criteria=[CriterionInput("B", 1, 1)])
    with pytest.raises(ApplicationError, match="another scorecard"):
        scorecard_save(
            firm=acme,
            user=carol,
            scorecard_id=two.pk,
            name="Two",
            criteria=[CriterionInput("X", 1, 1, criterion_id=one.criteria.get().pk)],
        )
