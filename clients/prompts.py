"""What callers hear: the prompt catalogue, one entry per language and prompt, and the one
table of Twilio voices that read it.

Twilio's `<Say>` without `language` and `voice` speaks US English, even a Kannada sentence, and
an invalid voice/language pair fails the verb. Every prompt therefore comes with the Twilio
language tag and the voice that reads it (`prompt_for`), both from `VOICES`. The voices are
from Twilio's text-to-speech list (https://www.twilio.com/docs/voice/twiml/say/text-speech,
"available voices and languages"): Google's Standard voices, a female one per language. Twilio
offers no Standard-A voice for Tamil (only Standard-C and -D), hence Standard-C there.

Konkani and Tulu have no Twilio voice. Their callers hear a language they share that Twilio
speaks and the line offers (`BORROWED`: Marathi, then Hindi, for Konkani; Kannada for Tulu),
else Indian English; the menu names them in the borrowed language.

A firm may replace any prompt of its line, per language (clients.models.LinePrompt); the text
is read by the same voice as the catalogue's. Prompts may name these values only, in braces:
{firm} (the firm's name), {digit} (the menu digit), {opens} and {closes} (business hours).

The survey's prompts (`survey`, `survey_thanks`) are played after the agent hangs up, on lines
with the survey on: the digits 1 to 5 stay digits in every language, as the keypad shows them.
"""

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agents.models import AgentLanguage

ENGLISH = AgentLanguage.Code.ENGLISH.value


@dataclass(frozen=True)
class Voice:
    language: str  # Twilio's `language`, e.g. "kn-IN"
    voice: str  # Twilio's `voice`, one it offers for that language


# The one table of voices: every language Twilio speaks for us. A voice is named after the
# language it reads (tests/clients/test_prompt_catalogue.py checks both).
VOICES: dict[str, Voice] = {
    "en": Voice("en-IN", "Google.en-IN-Standard-A"),
    "hi": Voice("hi-IN", "Google.hi-IN-Standard-A"),
    "kn": Voice("kn-IN", "Google.kn-IN-Standard-A"),
    "ta": Voice("ta-IN", "Google.ta-IN-Standard-C"),
    "te": Voice("te-IN", "Google.te-IN-Standard-A"),
    "ml": Voice("ml-IN", "Google.ml-IN-Standard-A"),
    "mr": Voice("mr-IN", "Google.mr-IN-Standard-A"),
    "bn": Voice("bn-IN", "Google.bn-IN-Standard-A"),
    "gu": Voice("gu-IN", "Google.gu-IN-Standard-A"),
}

# Languages without a Twilio voice, and whose voice their callers hear instead, in order of
# preference among the line's languages; with none of them on the line, English.
BORROWED: dict[str, tuple[str, ...]] = {
    "kok": ("mr", "hi"),  # Konkani: Devanagari, and its callers know Marathi or Hindi
    "tcy": ("kn",),  # Tulu: Kannada script; Tulu Nadu is in Karnataka
}


class PromptKey:
    """The prompts a line plays; each may be replaced per line and language."""

    WELCOME = "welcome"
    MENU_OPTION = "menu_option"
    HOLD = "hold"
    VOICEMAIL = "voicemail"
    CLOSED = "closed"
    APOLOGY = "apology"
    APOLOGY_RETRY = "apology_retry"
    SURVEY = "survey"
    SURVEY_THANKS = "survey_thanks"

    choices = [
        (WELCOME, "Welcome, before the language menu"),
        (MENU_OPTION, "The menu's option for this language"),
        (HOLD, "On hold, when every agent is busy"),
        (VOICEMAIL, "Before the caller leaves a message"),
        (CLOSED, "Outside business hours"),
        (APOLOGY, "When something fails on our side"),
        (APOLOGY_RETRY, "When something fails on our side, before trying again"),
        (SURVEY, "After the agent hangs up: rate the call from 1 to 5 on the keypad"),
        (SURVEY_THANKS, "After the caller rated the call"),
    ]


# The values each prompt may name, in braces.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    PromptKey.WELCOME: frozenset({"firm"}),
    PromptKey.MENU_OPTION: frozenset({"digit"}),
    PromptKey.HOLD: frozenset(),
    PromptKey.VOICEMAIL: frozenset(),
    PromptKey.CLOSED: frozenset({"firm", "opens", "closes"}),
    PromptKey.APOLOGY: frozenset(),
    PromptKey.APOLOGY_RETRY: frozenset(),
    PromptKey.SURVEY: frozenset({"firm"}),
    PromptKey.SURVEY_THANKS: frozenset({"firm"}),
}

# Played when a number is not ours: there is no line, hence no language to choose.
NOT_IN_SERVICE = "Sorry, this number is not in service."

# The catalogue, per language Twilio speaks. A missing text falls back to English, read by the
# English voice.
CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        PromptKey.WELCOME: "Welcome to {firm}.",
        PromptKey.MENU_OPTION: "For English, press {digit}.",
        PromptKey.HOLD: "All our agents are helping other callers. Please stay on the line.",
        PromptKey.VOICEMAIL: (
            "We are sorry to keep you waiting. Please leave your name and what you need after "
            "the tone, and we will call you back."
        ),
        PromptKey.CLOSED: (
            "Thank you for calling {firm}. We are open from {opens} to {closes}. "
            "Please call again then."
        ),
        PromptKey.APOLOGY: (
            "We are sorry, something went wrong on our side. Please call again in a few minutes."
        ),
        PromptKey.APOLOGY_RETRY: "We are sorry, please hold a moment.",
        PromptKey.SURVEY: (
            "Please rate this call on your keypad, from 1 for poor to 5 for excellent."
        ),
        PromptKey.SURVEY_THANKS: "Thank you for your rating. Goodbye.",
    },
    "hi": {
        PromptKey.WELCOME: "{firm} में आपका स्वागत है।",
        PromptKey.MENU_OPTION: "हिंदी के लिए {digit} दबाएँ।",
        PromptKey.HOLD: ("हमारे सभी एजेंट अभी दूसरे ग्राहकों की सहायता कर रहे हैं। कृपया लाइन पर बने रहें।"),
        PromptKey.VOICEMAIL: (
            "आपको प्रतीक्षा कराने के लिए हमें खेद है। कृपया बीप के बाद अपना नाम और अपनी ज़रूरत "
            "बताएँ, हम आपको वापस कॉल करेंगे।"
        ),
        PromptKey.CLOSED: (
            "{firm} को कॉल करने के लिए धन्यवाद। हम {opens} से {closes} बजे तक उपलब्ध हैं। "
            "कृपया उस समय दोबारा कॉल करें।"
        ),
        PromptKey.APOLOGY: (
            "क्षमा करें, हमारी ओर से कोई तकनीकी समस्या आ गई है। कृपया कुछ मिनट बाद दोबारा कॉल करें।"
        ),
        PromptKey.APOLOGY_RETRY: "क्षमा करें, कृपया एक क्षण रुकें।",
        PromptKey.SURVEY: (
            "कृपया इस कॉल को रेटिंग दें: बहुत ख़राब के लिए 1 से बहुत अच्छी के लिए 5 तक कोई अंक दबाएँ।"
        ),
        PromptKey.SURVEY_THANKS: "आपकी रेटिंग के लिए धन्यवाद।",
    },
    "kn": {
        PromptKey.WELCOME: "{firm} ಗೆ ಸ್ವಾಗತ.",
        PromptKey.MENU_OPTION: "ಕನ್ನಡಕ್ಕಾಗಿ {digit} ಒತ್ತಿ.",
        PromptKey.HOLD: ("ನಮ್ಮ ಎಲ್ಲಾ ಏಜೆಂಟರು ಬೇರೆ ಗ್ರಾಹಕರಿಗೆ ಸಹಾಯ ಮಾಡುತ್ತಿದ್ದಾರೆ. ದಯವಿಟ್ಟು ಕರೆಯಲ್ಲೇ ಇರಿ."),
        PromptKey.VOICEMAIL: (
            "ಕಾಯಿಸಿದ್ದಕ್ಕೆ ಕ್ಷಮಿಸಿ. ಬೀಪ್ ಶಬ್ದದ ನಂತರ ನಿಮ್ಮ ಹೆಸರು ಮತ್ತು ನಿಮಗೆ ಏನು ಬೇಕು ಎಂದು ತಿಳಿಸಿ, "
            "ನಾವು ನಿಮಗೆ ಮರಳಿ ಕರೆ ಮಾಡುತ್ತೇವೆ."
        ),
        PromptKey.CLOSED: (
            "{firm} ಗೆ ಕರೆ ಮಾಡಿದ್ದಕ್ಕಾಗಿ ಧನ್ಯವಾದಗಳು. ನಮ್ಮ ಸೇವಾ ಸಮಯ {opens} ರಿಂದ {closes} ರವರೆಗೆ. "
            "ದಯವಿಟ್ಟು ಆ ಸಮಯದಲ್ಲಿ ಮತ್ತೆ ಕರೆ ಮಾಡಿ."
        ),
        PromptKey.APOLOGY: (
            "ಕ್ಷಮಿಸಿ, ನಮ್ಮ ಕಡೆಯಿಂದ ತಾಂತ್ರಿಕ ತೊಂದರೆ ಉಂಟಾಗಿದೆ. ದಯವಿಟ್ಟು ಕೆಲವು ನಿಮಿಷಗಳ ನಂತರ ಮತ್ತೆ ಕರೆ ಮಾಡಿ."
        ),
        PromptKey.APOLOGY_RETRY: "ಕ್ಷಮಿಸಿ, ದಯವಿಟ್ಟು ಒಂದು ಕ್ಷಣ ಕಾಯಿರಿ.",
        PromptKey.SURVEY: ("ದಯವಿಟ್ಟು ಈ ಕರೆಗೆ ರೇಟಿಂಗ್ ನೀಡಿ: ತುಂಬಾ ಕಳಪೆ ಎಂದರೆ 1, ಅತ್ಯುತ್ತಮ ಎಂದರೆ 5 ಒತ್ತಿ."),
        PromptKey.SURVEY_THANKS: "ನಿಮ್ಮ ಅಭಿಪ್ರಾಯಕ್ಕೆ ಧನ್ಯವಾದಗಳು.",
    },
    "ta": {
        PromptKey.WELCOME: "{firm} உங்களை வரவேற்கிறது.",
        PromptKey.MENU_OPTION: "தமிழுக்கு {digit} ஐ அழுத்தவும்.",
        PromptKey.HOLD: (
            "எங்கள் முகவர்கள் அனைவரும் மற்ற அழைப்பாளர்களுக்கு உதவிக்கொண்டிருக்கிறார்கள். "
            "தயவுசெய்து இணைப்பில் காத்திருக்கவும்."
        ),
        PromptKey.VOICEMAIL: (
            "காத்திருக்க வைத்ததற்கு வருந்துகிறோம். பீப் ஒலிக்குப் பிறகு உங்கள் பெயரையும் உங்களுக்கு "
            "என்ன தேவை என்பதையும் சொல்லுங்கள், நாங்கள் உங்களைத் திரும்ப அழைப்போம்."
        ),
        PromptKey.CLOSED: (
            "{firm} ஐ அழைத்ததற்கு நன்றி. எங்கள் சேவை நேரம் {opens} முதல் {closes} வரை. "
            "தயவுசெய்து அந்த நேரத்தில் மீண்டும் அழைக்கவும்."
        ),
        PromptKey.APOLOGY: (
            "மன்னிக்கவும், எங்கள் பக்கத்தில் ஒரு தொழில்நுட்பக் கோளாறு ஏற்பட்டுள்ளது. "
            "சில நிமிடங்கள் கழித்து மீண்டும் அழைக்கவும்."
        ),
        PromptKey.APOLOGY_RETRY: "மன்னிக்கவும், தயவுசெய்து ஒரு கணம் காத்திருக்கவும்.",
        PromptKey.SURVEY: (
            "தயவுசெய்து இந்த அழைப்பை மதிப்பிடுங்கள்: மிக மோசம் என்றால் 1, மிகச் சிறப்பு என்றால் 5 ஐ அழுத்தவும்."
        ),
        PromptKey.SURVEY_THANKS: "உங்கள் மதிப்பீட்டிற்கு நன்றி.",
    },
    "te": {
        PromptKey.WELCOME: "{firm} కు స్వాగతం.",
        PromptKey.MENU_OPTION: "తెలుగు కోసం {digit} నొక్కండి.",
        PromptKey.HOLD: ("మా ఏజెంట్లందరూ ఇతర కాలర్లకు సహాయం చేస్తున్నారు. దయచేసి లైన్ లో వేచి ఉండండి."),
        PromptKey.VOICEMAIL: (
            "మిమ్మల్ని వేచి ఉంచినందుకు క్షమించండి. బీప్ శబ్దం తర్వాత మీ పేరు, మీకు ఏమి కావాలో "
            "చెప్పండి, మేము మీకు తిరిగి కాల్ చేస్తాము."
        ),
        PromptKey.CLOSED: (
            "{firm} కు కాల్ చేసినందుకు ధన్యవాదాలు. మా పని వేళలు {opens} నుండి {closes} వరకు. "
            "దయచేసి ఆ సమయంలో మళ్ళీ కాల్ చేయండి."
        ),
        PromptKey.APOLOGY: ("క్షమించండి, మా వైపు సాంకేతిక సమస్య వచ్చింది. దయచేసి కొన్ని నిమిషాల తర్వాత మళ్ళీ కాల్ చేయండి."),
        PromptKey.APOLOGY_RETRY: "క్షమించండి, దయచేసి ఒక్క క్షణం వేచి ఉండండి.",
        PromptKey.SURVEY: ("దయచేసి ఈ కాల్ కు రేటింగ్ ఇవ్వండి: చాలా బాగోలేదు అంటే 1, చాలా బాగుంది అంటే 5 నొక్కండి."),
        PromptKey.SURVEY_THANKS: "మీ రేటింగ్ కు ధన్యవాదాలు.",
    },
    "ml": {
        PromptKey.WELCOME: "{firm} ലേക്ക് സ്വാഗതം.",
        PromptKey.MENU_OPTION: "മലയാളത്തിന് {digit} അമർത്തുക.",
        PromptKey.HOLD: ("ഞങ്ങളുടെ എല്ലാ ഏജന്റുമാരും മറ്റ് ഉപഭോക്താക്കളെ സഹായിക്കുകയാണ്. ദയവായി ലൈനിൽ തുടരുക."),
        PromptKey.VOICEMAIL: (
            "കാത്തിരിപ്പിച്ചതിൽ ഖേദിക്കുന്നു. ബീപ്പ് ശബ്ദത്തിന് ശേഷം നിങ്ങളുടെ പേരും ആവശ്യവും "
            "പറയുക, ഞങ്ങൾ നിങ്ങളെ തിരികെ വിളിക്കാം."
        ),
        PromptKey.CLOSED: (
            "{firm} ലേക്ക് വിളിച്ചതിന് നന്ദി. ഞങ്ങളുടെ പ്രവർത്തന സമയം {opens} മുതൽ {closes} "
            "വരെയാണ്. ദയവായി ആ സമയത്ത് വീണ്ടും വിളിക്കുക."
        ),
        PromptKey.APOLOGY: (
            "ക്ഷമിക്കണം, ഞങ്ങളുടെ ഭാഗത്ത് ഒരു സാങ്കേതിക തകരാർ സംഭവിച്ചു. കുറച്ച് മിനിറ്റുകൾക്ക് ശേഷം വീണ്ടും വിളിക്കുക."
        ),
        PromptKey.APOLOGY_RETRY: "ക്ഷമിക്കണം, ദയവായി ഒരു നിമിഷം കാത്തിരിക്കുക.",
        PromptKey.SURVEY: (
            "ദയവായി ഈ കോളിന് റേറ്റിംഗ് നൽകുക: വളരെ മോശം എങ്കിൽ 1, വളരെ മികച്ചത് എങ്കിൽ 5 അമർത്തുക."
        ),
        PromptKey.SURVEY_THANKS: "നിങ്ങളുടെ റേറ്റിംഗിന് നന്ദി.",
    },
    "mr": {
        PromptKey.WELCOME: "{firm} मध्ये आपले स्वागत आहे.",
        PromptKey.MENU_OPTION: "मराठीसाठी {digit} दाबा.",
        PromptKey.HOLD: ("आमचे सर्व प्रतिनिधी सध्या इतर ग्राहकांना मदत करत आहेत. कृपया लाइनवर थांबा."),
        PromptKey.VOICEMAIL: (
            "आपल्याला थांबावे लागल्याबद्दल क्षमस्व. कृपया बीपनंतर आपले नाव आणि आपल्याला काय हवे "
            "आहे ते सांगा, आम्ही आपल्याला परत कॉल करू."
        ),
        PromptKey.CLOSED: (
            "{firm} ला कॉल केल्याबद्दल धन्यवाद. आमची वेळ {opens} ते {closes} आहे. "
            "कृपया त्या वेळेत पुन्हा कॉल करा."
        ),
        PromptKey.APOLOGY: ("क्षमस्व, आमच्याकडे तांत्रिक अडचण आली आहे. कृपया काही मिनिटांनी पुन्हा कॉल करा."),
        PromptKey.APOLOGY_RETRY: "क्षमस्व, कृपया एक क्षण थांबा.",
        PromptKey.SURVEY: ("कृपया या कॉलला रेटिंग द्या: खूप वाईट असल्यास 1, उत्कृष्ट असल्यास 5 दाबा."),
        PromptKey.SURVEY_THANKS: "आपल्या रेटिंगबद्दल धन्यवाद.",
    },
    "bn": {
        PromptKey.WELCOME: "{firm}-এ আপনাকে স্বাগতম।",
        PromptKey.MENU_OPTION: "বাংলার জন্য {digit} টিপুন।",
        PromptKey.HOLD: ("আমাদের সব এজেন্ট এখন অন্য গ্রাহকদের সাহায্য করছেন। অনুগ্রহ করে লাইনে থাকুন।"),
        PromptKey.VOICEMAIL: (
            "অপেক্ষা করানোর জন্য আমরা দুঃখিত। বিপ শব্দের পরে আপনার নাম এবং আপনার কী প্রয়োজন তা "
            "বলুন, আমরা আপনাকে ফিরে ফোন করব।"
        ),
        PromptKey.CLOSED: (
            "{firm}-এ ফোন করার জন্য ধন্যবাদ। আমরা {opens} থেকে {closes} পর্যন্ত খোলা থাকি। "
            "অনুগ্রহ করে তখন আবার ফোন করুন।"
        ),
        PromptKey.APOLOGY: (
            "দুঃখিত, আমাদের দিকে একটি প্রযুক্তিগত সমস্যা হয়েছে। অনুগ্রহ করে কয়েক মিনিট পরে আবার ফোন করুন।"
        ),
        PromptKey.APOLOGY_RETRY: "দুঃখিত, অনুগ্রহ করে এক মুহূর্ত অপেক্ষা করুন।",
        PromptKey.SURVEY: ("অনুগ্রহ করে এই কলটির মূল্যায়ন করুন: খুব খারাপ হলে 1, খুব ভালো হলে 5 টিপুন।"),
        PromptKey.SURVEY_THANKS: "আপনার মূল্যায়নের জন্য ধন্যবাদ।",
    },
    "gu": {
        PromptKey.WELCOME: "{firm} માં આપનું સ્વાગત છે.",
        PromptKey.MENU_OPTION: "ગુજરાતી માટે {digit} દબાવો.",
        PromptKey.HOLD: ("અમારા બધા એજન્ટ અત્યારે અન્ય ગ્રાહકોને મદદ કરી રહ્યા છે. કૃપા કરીને લાઇન પર રહો."),
        PromptKey.VOICEMAIL: (
            "આપને રાહ જોવડાવવા બદલ અમે દિલગીર છીએ. કૃપા કરીને બીપ પછી આપનું નામ અને આપને શું "
            "જોઈએ છે તે જણાવો, અમે આપને પાછો ફોન કરીશું."
        ),
        PromptKey.CLOSED: (
            "{firm} ને ફોન કરવા બદલ આભાર. અમારો સમય {opens} થી {closes} સુધીનો છે. "
            "કૃપા કરીને તે સમયે ફરી ફોન કરો."
        ),
        PromptKey.APOLOGY: (
            "માફ કરશો, અમારી તરફથી ટેકનિકલ ખામી આવી છે. કૃપા કરીને થોડી મિનિટો પછી ફરી ફોન કરો."
        ),
        PromptKey.APOLOGY_RETRY: "માફ કરશો, કૃપા કરીને એક ક્ષણ રાહ જુઓ.",
        PromptKey.SURVEY: ("કૃપા કરીને આ કૉલને રેટિંગ આપો: ખૂબ ખરાબ માટે 1, ઉત્તમ માટે 5 દબાવો."),
        PromptKey.SURVEY_THANKS: "આપના રેટિંગ બદલ આભાર.",
    },
}

# A borrowed language's menu option names it in the voice that reads it; its other prompts are
# the borrowed language's own.
BORROWED_MENU_OPTION: dict[str, dict[str, str]] = {
    "kok": {
        "mr": "कोंकणीसाठी {digit} दाबा.",
        "hi": "कोंकणी के लिए {digit} दबाएँ।",
        "en": "For Konkani, press {digit}.",
    },
    "tcy": {
        "kn": "ತುಳುವಿಗಾಗಿ {digit} ಒತ್ತಿ.",
        "en": "For Tulu, press {digit}.",
    },
}


@dataclass(frozen=True)
class Prompt:
    text: str
    language: str  # Twilio's `language`
    voice: str  # Twilio's `voice`


def spoken_language(language: str, *, offered: Sequence[str] = ()) -> str:
    """The language whose voice reads `language`'s prompts on a line offering `offered`."""
    if language in VOICES:
        return language
    return next((x for x in BORROWED.get(language, ()) if x in offered), ENGLISH)


def voice_for(language: str, *, offered: Sequence[str] = ()) -> Voice:
    return VOICES[spoken_language(language, offered=offered)]


def default_text(key: str, language: str, *, offered: Sequence[str] = ()) -> tuple[str, str]:
    """The catalogue's text of `key` for `language`, and the language that reads it."""
    spoken = spoken_language(language, offered=offered)
    if key == PromptKey.MENU_OPTION and language in BORROWED_MENU_OPTION:
        return BORROWED_MENU_OPTION[language][spoken], spoken
    if key in CATALOGUE[spoken]:
        return CATALOGUE[spoken][key], spoken
    return CATALOGUE[ENGLISH][key], ENGLISH


def placeholders_check(key: str, text: str) -> None:
    """ValueError naming the problem, unless `text` names only the values `key` may use."""
    allowed = PLACEHOLDERS[key]
    try:
        named = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as error:
        raise ValueError("Braces must come in pairs around a value's name, e.g. {firm}.") from error
    unknown = sorted(named - allowed)
    if unknown:
        may = ", ".join(f"{{{x}}}" for x in sorted(allowed)) or "no values"
        raise ValueError(f"This prompt may name {may}, not {{{unknown[0]}}}.")


def prompt_for(
    key: str,
    language: str,
    *,
    offered: Sequence[str] = (),
    overrides: Mapping[tuple[str, str], str] | None = None,
    **values: object,
) -> Prompt:
    """What to say for `key` in `language`: the line's own text (`overrides`, by (language,
    key)) or the catalogue's, filled with `values`, and the voice that reads it."""
    text, spoken = default_text(key, language, offered=offered)
    said = text.format(**values)
    own = (overrides or {}).get((language, key))
    if own:
        try:
            placeholders_check(key, own)
            said, spoken = own.format(**values), spoken_language(language, offered=offered)
        except (ValueError, KeyError, IndexError):
            pass  # e.g. saved before a rule changed: the catalogue's text, never a failed call
    voice = VOICES[spoken]
    return Prompt(said, voice.language, voice.voice)
