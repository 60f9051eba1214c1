"""The agency's administrators open franchises (a city from the gazetteer, a lead who leads
one franchise at most) and put agents in them (one franchise at most each). Audited; the
services refuse any other role."""

import pytest
from django.urls import reverse

from common.errors import ApplicationError, NotAllowed
from common.models import AuditAction, AuditRecord
from teams.models import Franchise, FranchiseMember
from teams.services import franchise_member_add, franchise_save
from tests.factories import AgentProfileFactory
from tests.teams.conftest import CHENNAI_ID, KOCHI_ID, team

pytestmark = pytest.mark.django_db


def open_page(client, **data):
    fields = {"name": "Kochi Coast", "city": "Kochi, Kerala", "geoname_id": str(KOCHI_ID)}
    return client.post(reverse("staff_teams:franchises"), fields | data)


def test_an_administrator_opens_a_franchise_in_a_gazetteer_city_with_a_lead(client, adele, leo):
    client.force_login(adele)
    response = open_page(client, lead=str(leo.pk))
    franchise = Franchise.objects.get()
    assert response.url == reverse("staff_teams:franchise", args=[franchise.pk])
    assert (franchise.city, franchise.state, franchise.lead) == ("Kochi", "Kerala", leo)
    assert round(franchise.latitude, 1) == 9.9
    record = AuditRecord.objects.about(franchise).get()
    assert (record.action, record.actor, record.after["lead"]) == ("franchise_saved", adele, leo.pk)


def test_a_city_typed_without_picking_is_matched_exactly_or_refused(client, adele):
    client.force_login(adele)
    open_page(client, city="Chennai", geoname_id="")
    assert Franchise.objects.get().geoname_id == CHENNAI_ID
    response = open_page(client, name="Nowhere", city="Atlantis", geoname_id="")
    assert "Choose the city from the list." in response.content.decode()


def test_a_lead_leads_one_franchise_at_most(client, adele, leo):
    team("Chennai Central", leo, geoname_id=CHENNAI_ID)
    client.force_login(adele)
    response = open_page(client, lead=str(leo.pk))
    assert "already leads Chennai Central" in response.content.decode()
    assert Franchise.objects.count() == 1


def test_only_a_team_lead_user_can_lead(adele, victor):
    with pytest.raises(ApplicationError, match="team lead role"):
        franchise_save(actor=adele, name="Kochi Coast", geoname_id=KOCHI_ID, lead=victor)


def test_an_agent_in_another_franchise_must_be_removed_there_first(client, adele):
    asha = AgentProfileFactory(full_name="Asha Nair")
    chennai = team("Chennai Central", None, asha, geoname_id=CHENNAI_ID)
    kochi = team("Kochi Coast", None)
    client.force_login(adele)
    add = reverse("staff_teams:member_add", args=[kochi.pk])
    response = client.post(add, {"agent": asha.pk})
    assert response.status_code == 400
    assert "Asha Nair is in Chennai Central: remove them there first." in response.content.decode()
    assert FranchiseMember.objects.get(agent=asha).franchise == chennai

    client.post(reverse("staff_teams:member_remove", args=[chennai.pk]), {"agent": asha.pk})
    assert not FranchiseMember.objects.filter(agent=asha).exists()
    assert client.post(add, {"agent": asha.pk}).status_code == 302
    assert FranchiseMember.objects.get(agent=asha).franchise == kochi
    actions = list(AuditRecord.objects.about(asha).order_by("pk").values_list("action", flat=True))
    assert actions == [AuditAction.FRANCHISE_MEMBER_REMOVED, AuditAction.FRANCHISE_MEMBER_ADDED]


def test_the_franchise_page_lists_its_agents(client, adele):
    asha = AgentProfileFactory(full_name="Asha Nair")
    kochi = team("Kochi Coast", None, asha)
    client.force_login(adele)
    page = client.get(reverse("staff_teams:franchise", args=[kochi.pk])).content.decode()
    assert "Asha Nair" in page


def test_the_city_picker_offers_gazetteer_places(client, adele):
    client.force_login(adele)
    response = client.get(reverse("staff_teams:city_options"), {"city": "Koch"})
    assert f'data-geoname-id="{KOCHI_ID}"' in response.content.decode()


def test_the_services_refuse_anyone_but_an_administrator(victor, leo):
    agent = AgentProfileFactory()
    kochi = team("Kochi Coast", None)
    with pytest.raises(NotAllowed):
        franchise_save(actor=victor, name="X", geoname_id=KOCHI_ID, lead=None)
    with pytest.raises(NotAllowed):
        franchise_member_add(actor=leo, franchise=kochi, agent=agent)


@pytest.mark.parametrize("who", ["victor", "leo", "carol", "alice"])
def test_the_franchise_pages_are_the_administrators_only(client, request, who):
    kochi = team("Kochi Coast", None)
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("staff_teams:franchises"),
        reverse("staff_teams:franchise", args=[kochi.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_an_unknown_franchise_is_a_404(client, adele):
    client.force_login(adele)
    assert client.get(reverse("staff_teams:franchise", args=[999])).status_code == 404


def test_an_administrator_hands_a_franchise_to_another_lead(client, adele, leo, lena):
    kochi = team("Kochi Coast", leo)
    client.force_login(adele)
    data = {"name": "Kochi Coast", "city": "Kochi, Kerala", "geoname_id": str(KOCHI_ID)}
    response = client.post(
        reverse("staff_teams:franchise", args=[kochi.pk]), data | {"lead": lena.pk}
    )
    assert response.status_code == 302
    kochi.refresh_from_db()
    assert kochi.lead == lena
    record = AuditRecord.objects.about(kochi).get()
    assert (record.before["lead"], record.after["lead"]) == (leo.pk, lena.pk)
