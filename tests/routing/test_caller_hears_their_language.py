"""Every <Say> Twilio gets names a language and a voice Twilio offers for it: the menu reads each
option in its own language; hold, voicemail and closed speak the call's language."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from agents.models import AgentLanguage
from clients.models import LinePrompt
from clients.prompts import CATALOGUE, VOICES, spoken_language
from routing import twiml as answers
from routing.models import Call
from tests.clients.test_prompt_catalogue import TWILIO_OFFERS
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, twilio_post, twiml, voice_params

pytestmark = pytest.mark.django_db

PORTAL_LANGUAGES = [code for code, _ in AgentLanguage.Code.choices]


def _says(root) -> list[tuple[str, str]]:
    """(text, language) of every <Say>, each checked to carry a pair Twilio offers."""
    says = root.iter("Say")
    found = []
    for say in says:
        language, voice = say.get("language"), say.get("voice")
        assert voice in TWILIO_OFFERS.get(language, ()), (say.text, language, voice)
        found.append((say.text, language))
    assert found, "no <Say> at all"
    return found


def _closed_today(line) -> None:
    today = timezone.localdate().weekday()
    line.business_days = "".join(str(d) for d in range(7) if d != today)
    line.save()


@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
def test_hold_voicemail_and_closed_speak_the_lines_language(client, acme, language):
    line = PhoneLineFactory(firm=acme, languages=[language])
    spoken = spoken_language(language, offered=[language])
    texts, tag = CATALOGUE[spoken], VOICES[spoken].language
    hold = twiml(twilio_post(client, VOICE, voice_params(line)))
    assert _says(hold) == [(texts["hold"], tag)]
    line.max_wait_seconds = 0
    line.save()
    voicemail = twiml(twilio_post(client, hold.find("Redirect").text, voice_params(line)))
    assert _says(voicemail) == [(texts["voicemail"], tag)]
    _closed_today(line)
    closed = twiml(twilio_post(client, VOICE, voice_params(line, sid="CA2")))
    closing = texts["closed"].format(firm=acme.name, opens="00:00", closes="23:59")
    assert _says(closed) == [(closing, tag)]


def test_the_menu_says_each_option_in_its_own_language(client, acme):
    line = PhoneLineFactory(firm=acme, languages=["kn", "en", "tcy", "kok", "ta"])
    menu = twiml(twilio_post(client, VOICE, voice_params(line)))
    assert _says(menu.find("Gather")) == [
        (f"{acme.name} ಗೆ ಸ್ವಾಗತ.", "kn-IN"),  # the welcome: the line's first language
        ("ಕನ್ನಡಕ್ಕಾಗಿ 1 ಒತ್ತಿ.", "kn-IN"),
        ("For English, press 2.", "en-IN"),
        ("ತುಳುವಿಗಾಗಿ 3 ಒತ್ತಿ.", "kn-IN"),  # no Tulu voice: Kannada's, which the line offers
        ("For Konkani, press 4.", "en-IN"),  # no Konkani voice, no Marathi or Hindi: English
        ("தமிழுக்கு 5 ஐ அழுத்தவும்.", "ta-IN"),
    ]


def test_after_the_choice_the_caller_holds_in_their_language(client, acme):
    line = PhoneLineFactory(firm=acme, languages=["en", "hi"])
    twilio_post(client, VOICE, voice_params(line))
    hold = twiml(twilio_post(client, VOICE, voice_params(line, Digits="2")))
    assert _says(hold) == [(CATALOGUE["hi"]["hold"], "hi-IN")]


def test_the_firms_own_words_are_played_in_place_of_ours(client, acme):
    line = PhoneLineFactory(firm=acme, languages=["kn"])
    LinePrompt.objects.create(line=line, language="kn", key="hold", text="ದಯವಿಟ್ಟು ಕಾಯಿರಿ.")
    LinePrompt.objects.create(line=line, language="kn", key="voicemail", text="{nobody} hi")
    hold = twiml(twilio_post(client, VOICE, voice_params(line)))
    assert _says(hold) == [("ದಯವಿಟ್ಟು ಕಾಯಿರಿ.", "kn-IN")]
    line.max_wait_seconds = 0
    line.save()
    # A text that names an unknown value (saved around the form) plays ours, not a 500.
    voicemail = twiml(twilio_post(client, hold.find("Redirect").text, voice_params(line)))
    assert _says(voicemail) == [(CATALOGUE["kn"]["voicemail"], "kn-IN")]


def test_not_in_service_and_the_apology_name_their_voice_too(client, acme):
    unknown = twiml(twilio_post(client, VOICE, voice_params(PhoneLineFactory.build())))
    assert _says(unknown) == [("Sorry, this number is not in service.", "en-IN")]
    line = PhoneLineFactory(firm=acme, languages=["ml"])
    twilio_post(client, VOICE, voice_params(line))
    call = Call.objects.get()
    assert _says(ET.fromstring(str(answers.apology(retry_url=None, call=call)))) == [
        (CATALOGUE["ml"]["apology"], "ml-IN")
    ]
    assert _says(ET.fromstring(str(answers.apology(retry_url=None))))[0][1] == "en-IN"
