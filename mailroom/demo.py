"""Demo email (issue 18), after campaigns' demo: a queue per firm, conversations through the
real ingest path, an answered one, a breached one, and a sent campaign.

- Acme Insurance: "Claims email" on the Claims helpline (Kannada, English, Tulu; the language
  detected from each message), claims@acme-insurance.example, a first reply due within four
  business hours; two templates. Five consumers write: in English and in Kannada (detected by
  script), one reply to Meera's answer (threaded), one with a refused attachment, and one an
  auto-reply (kept, not routed). Meera has answered one (a ledger row: a handled
  conversation); one written two days ago was never answered and breached its target
  (escalated to staff).
- Kaveri Bank Services: "Loans email" on the Loans helpline: a Tamil message (lingua).
- Acme's "Renewal reminder, December" campaign to its renewals list (the contacts given
  addresses here) was sent, rate-limited, to made-up addresses (the local-memory backend:
  nothing leaves the machine); one bounced and one unsubscribed (both suppressed).
A second seed changes nothing.
"""

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from anymail.signals import AnymailTrackingEvent
from django.test import override_settings
from django.utils import timezone

from campaigns.models import ContactList
from clients.models import ClientFirm, Engagement, PhoneLine
from clients.rates import agent_share
from mailroom.ingest import message_ingest
from mailroom.models import Address, CampaignEmail, Conversation, EmailCampaign, Message, Queue
from mailroom.models import Template as ReplyTemplate
from mailroom.replies import reply_send
from mailroom.sending import CampaignInput, campaign_save, campaign_send_due, campaign_start
from mailroom.sla import conversations_breach_due
from mailroom.suppression import unsubscribe_row
from mailroom.tracking import tracking_event_apply

QUEUES = {
    # firm: (queue, line, address, display name)
    "Acme Insurance": (
        "Claims email",
        "Claims helpline",
        "claims@acme-insurance.example",
        "Acme Insurance claims",
    ),
    "Kaveri Bank Services": (
        "Loans email",
        "Loans helpline",
        "loans@kaveri-bank.example",
        "Kaveri Bank loans desk",
    ),
}
TEMPLATES = {
    "Acme Insurance": [
        (
            "Claim received",
            "en",
            "Dear {customer_name},\n\nThank you for writing. Your claim "
            "is with our team and I will update you within two working days.\n\n{agent_name}\n"
            "{firm_name}",
        ),
        (
            "Documents needed",
            "en",
            "Dear {customer_name},\n\nTo settle your claim we need "
            "the hospital's discharge summary and the final bill as PDF files.\n\n{agent_name}\n"
            "{firm_name}",
        ),
    ],
    "Kaveri Bank Services": [
        (
            "EMI date",
            "ta",
            "அன்புள்ள {customer_name},\n\nஉங்கள் EMI தேதி பற்றிய தகவல் "
            "விரைவில் அனுப்பப்படும்.\n\n{agent_name}\n{firm_name}",
        ),
    ],
}
# (firm, sender name, local part, subject, text, days ago)
MESSAGES = [
    (
        "Acme Insurance",
        "Asha Menon",
        "asha.menon",
        "Claim for my hospital bill",
        "Hello, I sent my claim papers for my mother's cataract surgery last week. Could you "
        "tell me when the claim will be settled? My policy number is POL-52074.",
        0,
    ),
    (
        "Acme Insurance",
        "Ravi Hegde",
        "ravi.hegde",
        "ಕ್ಲೈಮ್ ಸ್ಥಿತಿ",
        "ನಮಸ್ಕಾರ, ನನ್ನ ಆಸ್ಪತ್ರೆ ಬಿಲ್ಲಿನ ಕ್ಲೈಮ್ ಯಾವಾಗ ಪಾವತಿಯಾಗುತ್ತದೆ ಎಂದು ದಯವಿಟ್ಟು ತಿಳಿಸಿ. "
        "ನಾನು ಎಲ್ಲಾ ದಾಖಲೆಗಳನ್ನು ಕಳುಹಿಸಿದ್ದೇನೆ.",
        0,
    ),
    (
        "Acme Insurance",
        "Suma Rao",
        "suma.rao",
        "Cashless approval pending",
        "Dear team, the hospital says the cashless approval for my father's admission has "
        "not come through. He was admitted two days ago. Please help urgently.",
        2,
    ),
    (
        "Acme Insurance",
        "Kiran Pai",
        "kiran.pai",
        "Premium receipt",
        "Please send me the premium receipt for my family floater policy for tax purposes.",
        0,
    ),
    (
        "Kaveri Bank Services",
        "Murugan Pillai",
        "murugan.pillai",
        "EMI தேதி மாற்றம்",
        "வணக்கம், என் வீட்டுக் கடன் EMI தேதியை மாதத்தின் பத்தாம் தேதிக்கு மாற்ற முடியுமா? "
        "என் சம்பளம் அந்த நாளில்தான் வருகிறது. நன்றி.",
        0,
    ),
]
ANSWERED = "kiran.pai"  # Meera answered him; he wrote back
BREACHED = "suma.rao"  # written two days ago, never answered
CAMPAIGN = "Renewal reminder, December"
CAMPAIGN_LIST = "Health top-up renewals"
CAMPAIGN_BODY = (
    "Dear {first_name},\n\nYour {plan} policy {policy} renews on {renews_on}. Renew before "
    "then to keep your no-claim bonus.\n\nAcme Insurance"
)


def seed_demo() -> list[tuple[str, str]]:
    firms = {f.name: f for f in ClientFirm.objects.filter(name__in=QUEUES)}
    if len(firms) < len(QUEUES):
        return []
    queues = {name: _queue(firm, *QUEUES[name]) for name, firm in firms.items()}
    _email_rates(firms.values())
    if not Message.objects.filter(firm__in=firms.values()).exists():
        _conversations(queues)
    _campaign(firms["Acme Insurance"], queues["Acme Insurance"])
    return []


def _queue(firm, name, line_name, email, display_name) -> Queue:
    line = PhoneLine.objects.get(firm=firm, name=line_name)
    queue, _ = Queue.objects.get_or_create(
        firm=firm,
        name=name,
        defaults={"line": line, "display_name": display_name, "first_response_minutes": 240},
    )
    Address.objects.get_or_create(email=email, defaults={"queue": queue})
    for title, language, body in TEMPLATES[firm.name]:
        ReplyTemplate.objects.get_or_create(
            firm=firm, name=title, defaults={"language": language, "body": body}
        )
    return queue


def _email_rates(firms) -> None:
    """Email rates on the demo's engagements that have none (the requests' own, copied)."""
    for engagement in Engagement.objects.filter(firm__in=firms, email_client_rate__isnull=True):
        request = engagement.request
        if request.email_rate is None:
            continue
        # The agent's share as clients.marketplace copies it when an engagement begins.
        engagement.email_client_rate = request.email_rate
        engagement.email_agent_rate = agent_share(request.email_rate, request.currency)
        engagement.save(update_fields=["email_client_rate", "email_agent_rate"])


def _raw(*, to, name, local, subject, text, at, reply_to=None, headers=None, attachment=None):
    message = EmailMessage()
    message["From"] = f"{name} <{local}@example.net>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(idstring=local, domain="example.net")
    if reply_to is not None:
        message["In-Reply-To"] = f"<{reply_to.message_id}>"
        message["References"] = f"<{reply_to.message_id}>"
    for header, value in (headers or {}).items():
        message[header] = value
    message.set_content(text)
    if attachment:
        filename, content_type, payload = attachment
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def _conversations(queues) -> None:
    now = timezone.now()
    stored = {}
    for firm_name, name, local, subject, text, days in MESSAGES:
        address = queues[firm_name].addresses.first()
        attachment = None
        if local == "asha.menon":  # a program in a claim: refused, noted on the conversation
            attachment = ("claim-form.exe", "application/octet-stream", b"MZ\x90\x00" * 64)
        raw = _raw(
            to=address.email,
            name=name,
            local=local,
            subject=subject,
            text=text,
            at=now - dt.timedelta(days=days),
            attachment=attachment,
        )
        stored[local] = message_ingest(
            raw=raw, source=Message.Source.WEBHOOK, recipient=address.email
        )
    breached = stored[BREACHED].conversation
    # Written two days ago: due long since (the ingest timed it from now).
    Conversation.objects.filter(pk=breached.pk).update(
        created_at=now - dt.timedelta(days=2),
        last_message_at=now - dt.timedelta(days=2),
        first_response_due_at=now - dt.timedelta(days=1, hours=20),
    )
    Message.objects.filter(pk=stored[BREACHED].pk).update(received_at=now - dt.timedelta(days=2))
    conversations_breach_due(at=now)
    answered = Conversation.objects.get(pk=stored[ANSWERED].conversation_id)
    if answered.agent is not None:
        template = ReplyTemplate.objects.get(firm=answered.firm, name="Claim received")
        reply = reply_send(
            actor_user=answered.agent.user, conversation=answered, body="", template=template
        )
        address = answered.address.email
        message_ingest(
            raw=_raw(
                to=address,
                name="Kiran Pai",
                local="kiran.pai",
                subject="Re: Premium receipt",
                text="Thank you, I will wait for it.",
                at=now,
                reply_to=reply,
            ),
            source=Message.Source.WEBHOOK,
            recipient=address,
        )
        # His auto-responder's answer too: kept on the thread, routed nowhere.
        message_ingest(
            raw=_raw(
                to=address,
                name="Kiran Pai",
                local="kiran.pai",
                subject="Out of office: Re: Premium receipt",
                text="I am travelling until Monday with limited access to email.",
                at=now,
                reply_to=reply,
                headers={"Auto-Submitted": "auto-replied"},
            ),
            source=Message.Source.WEBHOOK,
            recipient=address,
        )


def _campaign(firm, queue) -> None:
    listed = ContactList.objects.filter(firm=firm, name=CAMPAIGN_LIST).first()
    admin = firm.members.filter(role="admin").order_by("pk").first()
    request = firm.requests.filter(campaign_email_rate__isnull=False).order_by("pk").first()
    if listed is None or admin is None or request is None:
        return
    for contact in listed.contacts.filter(email=""):
        local = contact.name.lower().replace(" ", ".").replace("'", "")
        contact.email = f"{local}@example.net"
        contact.save(update_fields=["email"])
    campaign = EmailCampaign.objects.filter(firm=firm, name=CAMPAIGN).first()
    if campaign is not None:
        return
    data = CampaignInput(
        name=CAMPAIGN,
        request=request,
        address=queue.addresses.first(),
        lists=[listed],
        subject="Your {plan} policy renews on {renews_on}",
        body=CAMPAIGN_BODY,
        rate_per_minute=600,
    )
    campaign = campaign_save(actor=admin.user, firm=firm, data=data)
    campaign_start(actor=admin.user, firm=firm, pk=campaign.pk)
    # Made-up addresses: kept in memory, never handed to a real mail server.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        while campaign_send_due(campaign_id=campaign.pk):
            pass
    # What the provider's tracking webhook would tell: delivered, but for one bounce.
    emails = list(CampaignEmail.objects.filter(campaign=campaign).order_by("id"))
    now = timezone.now()
    for n, row in enumerate(emails):
        if row.status != CampaignEmail.Status.SENT:
            continue
        event = AnymailTrackingEvent(
            event_type="bounced" if n == 1 else "delivered",
            timestamp=now,
            message_id=row.provider_id or row.message_id,
            metadata={"campaign_email": str(row.pk)},
        )
        tracking_event_apply(event)
    unsubscribe_row(emails[2])  # and one reader pressed "unsubscribe"
