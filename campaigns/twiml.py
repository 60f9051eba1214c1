"""The TwiML answers of an outbound attempt (the twilio package's VoiceResponse).

The agent hears, in their language for the call, who they are being connected to; the
contact hears only the opt-out offer (promotional campaigns) and, if they press 9, that they
will not be called again, in the contact's language. Every `<Say>` names its language and
voice (`clients.prompts.voice_for`: Twilio reads a bare one in US English). Both sides see the
line's number: `callerId` on the `<Dial>` to the contact, `from_` on the call to the agent.
"""

from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from campaigns.models import Attempt, Campaign
from clients.prompts import ENGLISH, spoken_language, voice_for
from routing.twiml import public_url

OPT_OUT_DIGIT = "9"
OPT_OUT_SECONDS = 4

CONNECTING = "connecting"  # to the agent: who they are about to speak to
OVER = "over"  # to the agent: the attempt ended before they answered
OPT_OUT_OFFER = "opt_out_offer"  # to the contact, before the bridge (promotional)
OPTED_OUT = "opted_out"  # to the contact who pressed 9

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        CONNECTING: "Connecting you to {name}.",
        OVER: "This call is no longer needed. Goodbye.",
        OPT_OUT_OFFER: "To stop these calls, press 9.",
        OPTED_OUT: "You will not be called again.",
    },
    "hi": {
        CONNECTING: "{name} से जोड़ा जा रहा है।",
        OVER: "इस कॉल की अब ज़रूरत नहीं है। धन्यवाद।",
        OPT_OUT_OFFER: "ये कॉल बंद करवाने के लिए 9 दबाएँ।",
        OPTED_OUT: "आपको दोबारा कॉल नहीं किया जाएगा।",
    },
    "kn": {
        CONNECTING: "{name} ಅವರೊಂದಿಗೆ ಸಂಪರ್ಕಿಸಲಾಗುತ್ತಿದೆ.",
        OVER: "ಈ ಕರೆ ಈಗ ಅಗತ್ಯವಿಲ್ಲ. ಧನ್ಯವಾದಗಳು.",
        OPT_OUT_OFFER: "ಈ ಕರೆಗಳನ್ನು ನಿಲ್ಲಿಸಲು 9 ಒತ್ತಿ.",
        OPTED_OUT: "ನಿಮಗೆ ಇನ್ನು ಮುಂದೆ ಕರೆ ಮಾಡಲಾಗುವುದಿಲ್ಲ.",
    },
    "ta": {
        CONNECTING: "{name} உடன் இணைக்கப்படுகிறது.",
        OVER: "இந்த அழைப்பு இனி தேவையில்லை. நன்றி.",
        OPT_OUT_OFFER: "இந்த அழைப்புகளை நிறுத்த 9 ஐ அழுத்தவும்.",
        OPTED_OUT: "உங்களை இனி அழைக்க மாட்டோம்.",
    },
    "te": {
        CONNECTING: "{name} తో కలుపుతున్నాము.",
        OVER: "ఈ కాల్ ఇక అవసరం లేదు. ధన్యవాదాలు.",
        OPT_OUT_OFFER: "ఈ కాల్స్ ఆపడానికి 9 నొక్కండి.",
        OPTED_OUT: "మీకు ఇకపై కాల్ చేయము.",
    },
    "ml": {
        CONNECTING: "{name} മായി ബന്ധിപ്പിക്കുന്നു.",
        OVER: "ഈ കോൾ ഇനി ആവശ്യമില്ല. നന്ദി.",
        OPT_OUT_OFFER: "ഈ കോളുകൾ നിർത്താൻ 9 അമർത്തുക.",
        OPTED_OUT: "നിങ്ങളെ ഇനി വിളിക്കില്ല.",
    },
    "mr": {
        CONNECTING: "{name} यांच्याशी जोडत आहोत.",
        OVER: "या कॉलची आता गरज नाही. धन्यवाद.",
        OPT_OUT_OFFER: "हे कॉल थांबवण्यासाठी 9 दाबा.",
        OPTED_OUT: "आपल्याला पुन्हा कॉल केला जाणार नाही.",
    },
    "bn": {
        CONNECTING: "{name}-এর সঙ্গে যুক্ত করা হচ্ছে।",
        OVER: "এই কলটির আর প্রয়োজন নেই। ধন্যবাদ।",
        OPT_OUT_OFFER: "এই কলগুলি বন্ধ করতে 9 টিপুন।",
        OPTED_OUT: "আপনাকে আর ফোন করা হবে না।",
    },
    "gu": {
        CONNECTING: "{name} સાથે જોડી રહ્યા છીએ.",
        OVER: "આ કૉલની હવે જરૂર નથી. આભાર.",
        OPT_OUT_OFFER: "આ કૉલ બંધ કરવા માટે 9 દબાવો.",
        OPTED_OUT: "આપને ફરી ફોન કરવામાં આવશે નહીં.",
    },
}


def _url(request, name: str, attempt: Attempt) -> str:
    """Our URL for Twilio as routing builds them (TWILIO_PUBLIC_BASE_URL, else the request's)."""
    return public_url(request, f"{reverse(name)}?attempt={attempt.pk}")


def _offered(attempt: Attempt) -> list[str]:
    return [x.language for x in attempt.campaign.line.languages.all()]


def _say(node, attempt: Attempt, key: str, language: str, **values) -> None:
    offered = _offered(attempt)
    spoken = spoken_language(language or ENGLISH, offered=offered)
    texts = TEXTS.get(spoken, TEXTS[ENGLISH])
    if key not in texts:
        texts, spoken = TEXTS[ENGLISH], ENGLISH
    voice = voice_for(spoken)
    node.say(texts[key].format(**values), language=voice.language, voice=voice.voice)


def contact_language(attempt: Attempt) -> str:
    """The contact's language, else the line's first."""
    offered = _offered(attempt)
    return attempt.contact.language or (offered[0] if offered else ENGLISH)


def agent_language(attempt: Attempt) -> str:
    """The call's language if the agent speaks it (they will speak it to the contact), else
    the line's first, else English."""
    spoken = set(attempt.agent.languages.values_list("language", flat=True))
    language = contact_language(attempt)
    return language if language in spoken else ENGLISH


def first_name(attempt: Attempt) -> str:
    return (attempt.contact.name or "").split(" ")[0][:40] or "the customer"


def agent_bridge(request, attempt: Attempt) -> VoiceResponse:
    """The agent answered: say who, then ring the contact with the line's number shown."""
    response = VoiceResponse()
    _say(response, attempt, CONNECTING, agent_language(attempt), name=first_name(attempt))
    line = attempt.campaign.line
    dial = response.dial(
        caller_id=str(line.number),
        action=_url(request, "outbound_telephony:twilio_dial_status", attempt),
        method="POST",
        timeout=line.ring_timeout_seconds,
    )
    dial.number(
        str(attempt.number),
        url=_url(request, "outbound_telephony:twilio_contact", attempt),
        method="POST",
    )
    return response


def agent_over(attempt: Attempt) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, attempt, OVER, agent_language(attempt))
    response.hangup()
    return response


def contact_answered(request, attempt: Attempt) -> VoiceResponse:
    """Runs on the contact's leg before the bridge: the opt-out offer on promotional calls;
    an empty answer bridges them."""
    response = VoiceResponse()
    if attempt.campaign.purpose != Campaign.Purpose.PROMOTIONAL:
        return response
    gather = response.gather(
        num_digits=1,
        timeout=OPT_OUT_SECONDS,
        action=_url(request, "outbound_telephony:twilio_opt_out", attempt),
        method="POST",
    )
    _say(gather, attempt, OPT_OUT_OFFER, contact_language(attempt))
    return response


def opted_out(attempt: Attempt) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, attempt, OPTED_OUT, contact_language(attempt))
    response.hangup()
    return response


def bridge() -> VoiceResponse:
    return VoiceResponse()  # the whisper ends: Twilio connects the two legs


def hangup() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response
