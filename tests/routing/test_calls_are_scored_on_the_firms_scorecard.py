"""Scoring a call: the weighted percentage, every criterion rated, answered calls only, the
firm's own scorecard, who may score, once per scorer (again: replaced), the agent told."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Notification
from common.errors import ApplicationError, NotAllowed
from common.models import AuditAction, AuditRecord
from routing.models import CallScore
from routing.services.quality import call_score, score_percent
from tests.factories import AgentProfileFactory, FirmMemberFactory, PhoneLineFactory
from tests.routing.quality_data import answered_call, ratings, scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def asha(db):
    return AgentProfileFactory(full_name="Asha")


@pytest.fixture
def call(acme, asha):
    return answered_call(PhoneLineFactory(firm=acme, name="Claims"), asha)


def test_the_percent_is_the_weighted_mean_of_the_ratings_rounded_half_up():
    assert score_percent([(1, 5), (1, 5)]) == Decimal("100.00")
    assert score_percent([(3, 0), (7, 0)]) == Decimal("0.00")
    assert score_percent([(3, 5), (1, 0)]) == Decimal("75.00")  # 15 / 20
    assert score_percent([(1, 1), (1, 1), (1, 0)]) == Decimal("13.33")  # 2 / 15
    assert score_percent([(1, 2), (2, 0)]) == Decimal("13.33")  # 2 / 15 = 13.333…
    assert score_percent([(1, 1), (1, 2), (1, 2)]) == Decimal("33.33")  # 5 / 15
    assert score_percent([(8, 1)]) == Decimal("20.00")
    assert score_percent([(1, 1), (159, 0)]) == Decimal("0.13")  # 100 / 800 = 0.125: half up
    assert score_percent([(1, 3), (7, 0)]) == Decimal("7.50")  # 300 / 40


def test_a_score_is_saved_with_its_items_audited_and_the_agent_told(carol, call, asha):
    card = scorecard(call.firm, 3, 1)
    score = call_score(
        call_id=call.pk,
        scorer=carol,
        scorecard_id=card.pk,
        ratings=ratings(card, 5, 0),
        comment="Warm greeting; forgot the reference number.",
    )
    assert score.percent == Decimal("75.00") and score.agent == asha
    assert [(i.label, i.weight, i.rating) for i in score.items.all()] == [
        ("C1", 3, 5),
        ("C2", 1, 0),
    ]
    assert AuditRecord.objects.filter(action=AuditAction.CALL_SCORED, actor=carol).count() == 1
    notice = Notification.objects.get(recipient=asha.user, kind=Notification.Kind.CALL_SCORED)
    assert "75.00%" in notice.title and "Claims" in notice.title
    assert str(call.caller)[-6:] not in notice.title + notice.body


def test_scoring_again_replaces_the_score_and_tells_the_agent_once(carol, call, asha):
    card = scorecard(call.firm, 1, 1)
    first = call_score(
        call_id=call.pk, scorer=carol, scorecard_id=card.pk, ratings=ratings(card, 1, 1)
    )
    again = call_score(
        call_id=call.pk,
        scorer=carol,
        scorecard_id=card.pk,
        ratings=ratings(card, 5, 5),
        comment="Better",
    )
    assert again.pk == first.pk and CallScore.objects.count() == 1
    again.refresh_from_db()
    assert again.percent == Decimal("100.00") and again.items.count() == 2
    assert Notification.objects.filter(recipient=asha.user, kind="call_scored").count() == 1


def test_every_criterion_must_be_rated_within_0_to_5(carol, call):
    card = scorecard(call.firm, 1, 1)
    first, second = card.criteria.order_by("position").values_list("pk", flat=True)
    with pytest.raises(ApplicationError, match="Rate every criterion: C2"):
        call_score(call_id=call.pk, scorer=carol, scorecard_id=card.pk, ratings={first: 3})
    with pytest.raises(ApplicationError, match="0 to 5"):
        call_score(
            call_id=call.pk, scorer=carol, scorecard_id=card.pk, ratings={first: 3, second: 6}
        )
    assert not CallScore.objects.exists()


def test_only_answered_calls_on_active_scorecards_of_the_calls_firm(carol, acme, globex, asha):
    line = PhoneLineFactory(firm=acme)
    missed = answered_call(line, None, status="abandoned")
    card = scorecard(acme, 1)
    with pytest.raises(ApplicationError, match="answered"):
        call_score(call_id=missed.pk, scorer=carol, scorecard_id=card.pk, ratings=ratings(card, 3))
    call = answered_call(line, asha)
    theirs = scorecard(globex, 1)
    with pytest.raises(ApplicationError, match="No such scorecard"):
        call_score(
            call_id=call.pk, scorer=carol, scorecard_id=theirs.pk, ratings=ratings(theirs, 3)
        )
    card.is_active = False
    card.save()
    with pytest.raises(ApplicationError, match="retired"):
        call_score(call_id=call.pk, scorer=carol, scorecard_id=card.pk, ratings=ratings(card, 3))


def test_who_may_score(call, dave, victor, fiona, root, alice, acme):
    card = scorecard(call.firm, 1)
    member = FirmMemberFactory(firm=acme, role="member").user
    for outsider in (dave, fiona, alice):
        with pytest.raises(NotAllowed):
            call_score(
                call_id=call.pk, scorer=outsider, scorecard_id=card.pk, ratings=ratings(card, 2)
            )
    for scorer in (member, victor, root):  # a plain member, vetting (QA), an administrator
        call_score(call_id=call.pk, scorer=scorer, scorecard_id=card.pk, ratings=ratings(card, 2))
    assert CallScore.objects.count() == 3


def test_the_firm_scores_from_its_call_page_and_another_firms_ids_are_404(
    client, carol, dave, call
):
    card = scorecard(call.firm, 1, 1)
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk]))
    url = reverse("calls:score", args=[call.pk, card.pk])
    assert page.status_code == 200 and url in page.content.decode()
    c1, c2 = ratings(card, 0, 0)
    refused = client.post(url, {f"rating_{c1}": "4", "comment": "ok"})
    assert refused.status_code == 400 and "Rate this criterion." in refused.content.decode()
    done = client.post(url, {f"rating_{c1}": "4", f"rating_{c2}": "5", "comment": "ok"})
    assert done.status_code == 302 and CallScore.objects.get().percent == Decimal("90.00")
    assert "90.00%" in client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    client.force_login(dave)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
    assert client.post(url, {f"rating_{c1}": "1", f"rating_{c2}": "1"}).status_code == 404


def test_the_firm_cannot_score_on_another_firms_scorecard(client, carol, globex, call):
    theirs = scorecard(globex, 1)
    client.force_login(carol)
    url = reverse("calls:score", args=[call.pk, theirs.pk])
    assert client.post(url, {f"rating_{theirs.criteria.get().pk}": "3"}).status_code == 404


def test_agency_quality_staff_score_on_the_staff_call_page(client, victor, fiona, call):
    card = scorecard(call.firm, 1)
    client.force_login(victor)  # vetting: the agency's quality staff
    page = client.get(reverse("routing_console:call", args=[call.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and call.caller_masked in body and str(call.caller) not in body
    url = reverse("routing_console:call_score", args=[call.pk, card.pk])
    assert client.post(url, {f"rating_{card.criteria.get().pk}": "5"}).status_code == 302
    assert CallScore.objects.get().scorer == victor
    client.force_login(fiona)  # finance reads the call (the console links it), scores nothing
    page = client.get(reverse("routing_console:call", args=[call.pk]))
    assert page.status_code == 200 and url not in page.content.decode()
    assert client.post(url, {f"rating_{card.criteria.get().pk}": "1"}).status_code == 403


def test_an_unanswered_call_has_no_score_form(client, carol, victor, acme):
    missed = answered_call(PhoneLineFactory(firm=acme), None, status="abandoned")
    card = scorecard(acme, 1)
    client.force_login(carol)
    assert client.get(reverse("calls:score", args=[missed.pk, card.pk])).status_code == 404
    client.force_login(victor)
    staff_url = reverse("routing_console:call_score", args=[missed.pk, card.pk])
    assert client.get(staff_url).status_code == 404


def test_a_refusal_on_the_score_form_is_said_once(client, carol, call, monkeypatch):
    card = scorecard(call.firm, 1)

    def retired_meanwhile(**kwargs):
        raise ApplicationError("This scorecard is retired.", field="scorecard")

    monkeypatch.setattr("routing.quality_pages.call_score", retired_meanwhile)
    client.force_login(carol)
    url = reverse("calls:score", args=[call.pk, card.pk])
    page = client.post(url, {f"rating_{card.criteria.get().pk}": "3"})
    assert page.status_code == 400
    assert page.content.decode().count("This scorecard is retired.") == 1
