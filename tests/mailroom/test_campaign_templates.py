"""Campaign templates name the contact's fields and nothing else: attribute and index access
are refused when the campaign is saved, and the test send goes to the address typed, marked
[Test], never counted."""

import pytest

from clients.services import NotAllowed
from common.errors import ApplicationError
from mailroom.models import CampaignEmail, EmailCampaign
from mailroom.rendering import template_problems, template_render
from mailroom.sending import campaign_test_send
from tests.mailroom.campaigning import campaign_draft, email_list

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["{x.y}", "{name[0]}", "{name!r}", "{name:>99}", "{", "{}"])
def test_it_refuses_what_is_not_a_plain_field(text):
    assert template_problems(text)


def test_unknown_fields_stay_as_written_and_braces_can_be_doubled():
    assert template_render("Hi {first_name} {{x}} {nope}", {"first_name": "Asha"}) == (
        "Hi Asha {x} {nope}"
    )


def test_saving_a_template_that_reaches_into_objects_is_refused(carol, acme, mail_address):
    people = email_list(acme, [("Asha", "asha@example.net")])
    with pytest.raises(ApplicationError) as refused:
        campaign_draft(carol, acme, mail_address, [people], body="{name.__class__}")
    assert refused.value.field == "body"
    assert not EmailCampaign.objects.exists()


def test_a_test_send_uses_the_first_contact_and_is_never_counted(
    smtp_sink, carol, acme, mail_address
):
    people = email_list(acme, [("Asha Menon", "asha@example.net")], policy_no="P-7")
    campaign = campaign_draft(carol, acme, mail_address, [people])

    campaign_test_send(actor=carol, firm=acme, pk=campaign.pk, to="carol@firm.example")

    (mail,) = smtp_sink.messages
    assert mail["To"] == "carol@firm.example"
    assert mail["Subject"] == "[Test] Your policy P-7, Asha"
    assert not CampaignEmail.objects.exists()
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.status) == (0, "draft")


def test_only_the_firms_admins_act_and_another_firms_campaign_is_404(
    carol, dave, acme, mail_address
):
    from django.http import Http404

    from clients.models import FirmMember
    from mailroom.sending import campaign_start

    people = email_list(acme, [("Asha", "asha@example.net")])
    campaign = campaign_draft(carol, acme, mail_address, [people])
    with pytest.raises(Http404):
        campaign_start(actor=dave, firm=dave.firm_membership.firm, pk=campaign.pk)
    FirmMember.objects.filter(user=carol).update(role=FirmMember.Role.MEMBER)
    with pytest.raises(NotAllowed):
        campaign_start(actor=carol, firm=acme, pk=campaign.pk)
