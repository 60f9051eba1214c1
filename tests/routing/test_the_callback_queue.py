"""The callback queue: a voicemail opens one request (also when its recording arrives
after), listed for the firm (its own customer's number in full) and the agency (masked);
assigned to an agent engaged on the line, done with a note, reopened — by the firm's people
or an agency administrator, audited; another firm's request is a 404."""

import pytest
from django.urls import reverse

from common.errors import ApplicationError, ConflictError, NotAllowed
from common.models import AuditAction, AuditRecord
from routing.models import CallbackRequest
from routing.services import call_voicemail
from routing.services.callbacks import callback_assign, callback_done, callback_reopen
from tests.factories import AgentProfileFactory, FirmMemberFactory, PhoneLineFactory
from tests.routing.analytics_data import at, make_call
from tests.routing.conftest import VOICE, engage, twilio_post, twiml, voice_params

pytestmark = pytest.mark.django_db
URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, name="Claims")


@pytest.fixture
def asha(acme, line):
    agent = AgentProfileFactory(full_name="Asha")
    engage(agent, acme, lines=[line])
    return agent


@pytest.fixture
def callback(line):
    call = make_call(line, at(0, 9), status="queued", caller="+919845012345")
    call_voicemail(call_id=call.pk)
    return CallbackRequest.objects.get(call=call)


def test_a_voicemail_opens_one_request_and_its_recording_keeps_it_one(line):
    call = make_call(line, at(0, 9), status="queued")
    call_voicemail(call_id=call.pk)
    call_voicemail(call_id=call.pk, recording_url=URL)  # the recording's own report
    call_voicemail(call_id=call.pk, recording_url=URL)  # and its retry
    found = CallbackRequest.objects.get()
    assert (found.call_id, found.firm_id, found.line_id) == (call.pk, line.firm_id, line.pk)
    assert (found.reason, found.status) == ("voicemail", "open")
    call.refresh_from_db()
    assert call.recording_url == URL


def test_a_voicemail_through_twilios_webhooks_lists_one_request_with_its_recording(client, line):
    hold = twiml(twilio_post(client, VOICE, voice_params(line)))  # nobody free: hold
    line.max_wait_seconds = 0
    line.save()
    record = twiml(twilio_post(client, hold.find("Redirect").text, voice_params(line)))
    action = record.find("Record").get("action")
    for _retry in range(2):
        twilio_post(client, action, voice_params(line) | {"RecordingUrl": URL})
    found = CallbackRequest.objects.select_related("call").get()
    assert (found.reason, found.status, found.call.recording_url) == ("voicemail", "open", URL)


def test_assign_done_reopen_audited(carol, asha, callback):
    callback_assign(callback_id=callback.pk, actor=carol, agent_id=asha.pk)
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_agent) == ("assigned", asha)
    callback_done(callback_id=callback.pk, actor=carol, note="Called back,  renewal booked")
    callback.refresh_from_db()
    assert (callback.status, callback.note) == ("done", "Called back, renewal booked")
    assert callback.done_at is not None and callback.updated_by == carol
    with pytest.raises(ConflictError):
        callback_done(callback_id=callback.pk, actor=carol)
    with pytest.raises(ConflictError):
        callback_assign(callback_id=callback.pk, actor=carol, agent_id=asha.pk)
    callback_reopen(callback_id=callback.pk, actor=carol)
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_agent, callback.done_at) == ("open", None, None)
    with pytest.raises(ConflictError):
        callback_reopen(callback_id=callback.pk, actor=carol)
    records = AuditRecord.objects.filter(action=AuditAction.CALLBACK_UPDATED)
    assert [r.after["status"] for r in records.order_by("pk")] == ["assigned", "done", "open"]


def test_only_an_agent_engaged_on_the_line_is_assigned(carol, acme, globex, callback):
    elsewhere = AgentProfileFactory(full_name="Elsewhere")
    engage(elsewhere, globex)
    other_line = PhoneLineFactory(firm=acme)
    wrong_line = AgentProfileFactory(full_name="Other line")
    engage(wrong_line, acme, lines=[other_line])
    for agent in (elsewhere, wrong_line, AgentProfileFactory()):
        with pytest.raises(ApplicationError, match="engaged on this line"):
            callback_assign(callback_id=callback.pk, actor=carol, agent_id=agent.pk)


def test_who_may_work_the_queue(acme, dave, victor, fiona, alice, root, asha, callback):
    for outsider in (dave, victor, fiona, alice):
        with pytest.raises(NotAllowed):
            callback_assign(callback_id=callback.pk, actor=outsider, agent_id=asha.pk)
    member = FirmMemberFactory(firm=acme, role="member").user
    callback_assign(callback_id=callback.pk, actor=member, agent_id=asha.pk)
    callback_done(callback_id=callback.pk, actor=root)


def test_the_firms_page_lists_and_works_its_own_queue(client, carol, dave, asha, callback):
    client.force_login(carol)
    page = client.get(reverse("callbacks:list"))
    body = page.content.decode()
    assert page.status_code == 200 and "+91 98450 12345" in body and "Asha" in body
    url = reverse("callbacks:action", args=[callback.pk, "assign"])
    assert client.post(url, {"agent": asha.pk}).status_code == 302
    callback.refresh_from_db()
    assert callback.status == "assigned"
    refused = client.post(url, {"agent": "999999"}, follow=True)
    assert "Choose an agent engaged on this line." in refused.content.decode()
    client.post(reverse("callbacks:action", args=[callback.pk, "done"]), {"note": "Sorted"})
    callback.refresh_from_db()
    assert callback.status == "done"
    assert "Sorted" not in client.get(reverse("callbacks:list")).content.decode()  # open ones
    assert "Sorted" in client.get(reverse("callbacks:list"), {"status": "done"}).content.decode()
    client.force_login(dave)
    assert "Claims" not in client.get(reverse("callbacks:list")).content.decode()
    reopen = reverse("callbacks:action", args=[callback.pk, "reopen"])
    assert client.post(reopen).status_code == 404
    callback.refresh_from_db()
    assert callback.status == "done"


def test_the_agency_page_masks_callers_and_is_for_administrators(
    client, root, victor, globex, callback
):
    theirs = make_call(
        PhoneLineFactory(firm=globex, name="Globex support"), at(0, 8), status="queued"
    )
    call_voicemail(call_id=theirs.pk, recording_url=URL)
    client.force_login(root)
    body = client.get(reverse("routing_console:callbacks")).content.decode()
    assert "Globex support" in body and "Claims" not in body  # complete-BPO firms' by default
    assert f'href="{URL}" target="_blank"' in body
    body = client.get(reverse("routing_console:callbacks"), {"firms": "all"}).content.decode()
    assert "Claims" in body and "+91 98450 12345" not in body and "+91••••••45" in body
    client.force_login(victor)
    assert client.get(reverse("routing_console:callbacks")).status_code == 403
    url = reverse("routing_console:callback_action", args=[callback.pk, "done"])
    assert client.post(url, {"note": "x"}).status_code == 403


def test_the_navigation_links_the_new_pages(carol, root, alice):
    from accounts.navigation import navigation_for

    assert {"Callbacks", "Quality"} <= {i["label"] for i in navigation_for(carol)}
    assert "Callbacks" in {i["label"] for i in navigation_for(root)}
    assert "Call quality" in {i["label"] for i in navigation_for(alice)}


def test_the_queue_is_shown_a_page_at_a_time_oldest_first(client, carol, root, line):
    # Every voicemail ever left stays under "All": the page must not draw them all at once.
    for minute in range(51):
        call = make_call(line, at(0, 9).replace(minute=minute), status="queued")
        call_voicemail(call_id=call.pk)
    first_pk = CallbackRequest.objects.order_by("created_at", "pk").first().pk
    last_pk = CallbackRequest.objects.order_by("created_at", "pk").last().pk
    client.force_login(carol)
    first = client.get(reverse("callbacks:list"), {"status": "all"})
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0]["callback"].pk == first_pk
    following = first.context["page"].next_cursor
    assert following and 'rel="next"' in first.content.decode()
    second = client.get(reverse("callbacks:list"), {"status": "all", "cursor": following})
    assert [r["callback"].pk for r in second.context["rows"]] == [last_pk]
    assert client.get(reverse("callbacks:list"), {"cursor": "junk"}).status_code == 400
    client.force_login(root)
    staff = client.get(reverse("routing_console:callbacks"), {"firms": "all", "status": "all"})
    assert len(staff.context["rows"]) == 50 and staff.context["page"].next_cursor
