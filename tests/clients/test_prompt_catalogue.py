"""The prompt catalogue and its voices: every portal language is read by a voice Twilio offers
for the language it is sent with, and every prompt is written in its language's own script."""

import string

import pytest

from agents.models import AgentLanguage
from clients.prompts import (
    BORROWED,
    BORROWED_MENU_OPTION,
    CATALOGUE,
    PLACEHOLDERS,
    VOICES,
    PromptKey,
    prompt_for,
    spoken_language,
    voice_for,
)

PORTAL_LANGUAGES = [code for code, _ in AgentLanguage.Code.choices]
KEYS = [key for key, _ in PromptKey.choices]


def _google(locale: str, letters: str) -> set[str]:
    return {f"Google.{locale}-Standard-{x}" for x in letters}


# Twilio's text-to-speech list (twilio.com/docs/voice/twiml/say/text-speech, "available voices
# and languages", as of 2025-05): its Standard voices and Polly voices for our locales. Tamil
# has no Standard-A or -B.
TWILIO_OFFERS: dict[str, set[str]] = {
    "en-IN": _google("en-IN", "ABCDEF") | {"Polly.Aditi", "Polly.Raveena", "Polly.Kajal-Neural"},
    "hi-IN": _google("hi-IN", "ABCDEF") | {"Polly.Aditi", "Polly.Kajal-Neural"},
    "kn-IN": _google("kn-IN", "ABCD"),
    "ta-IN": _google("ta-IN", "CD"),
    "te-IN": _google("te-IN", "ABCD"),
    "ml-IN": _google("ml-IN", "ABCD"),
    "mr-IN": _google("mr-IN", "ABC"),
    "bn-IN": _google("bn-IN", "ABCD"),
    "gu-IN": _google("gu-IN", "ABCD"),
}

# The Unicode block of each language's script.
SCRIPTS = {
    "hi": (0x0900, 0x097F),
    "mr": (0x0900, 0x097F),
    "bn": (0x0980, 0x09FF),
    "gu": (0x0A80, 0x0AFF),
    "ta": (0x0B80, 0x0BFF),
    "te": (0x0C00, 0x0C7F),
    "kn": (0x0C80, 0x0CFF),
    "ml": (0x0D00, 0x0D7F),
    "en": (0x0041, 0x007A),
}


def test_every_voice_is_named_for_the_language_it_is_sent_with_and_twilio_offers_it():
    for code, voice in VOICES.items():
        assert voice.language == f"{code}-IN"
        assert voice.voice in TWILIO_OFFERS[voice.language], voice
        if voice.voice.startswith("Google."):
            assert voice.voice.startswith(f"Google.{voice.language}-"), voice


@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
@pytest.mark.parametrize("others", [(), ("kn",), ("mr",), ("hi", "kn")], ids=str)
def test_every_portal_language_on_any_line_is_read_by_a_pair_twilio_offers(language, others):
    voice = voice_for(language, offered=[language, *others])
    assert voice.voice in TWILIO_OFFERS[voice.language]


def test_konkani_and_tulu_borrow_a_voice_the_line_offers_else_english():
    assert spoken_language("tcy", offered=["tcy", "kn"]) == "kn"
    assert spoken_language("kok", offered=["kok", "hi", "mr"]) == "mr"
    assert spoken_language("kok", offered=["hi", "kok"]) == "hi"
    assert spoken_language("tcy", offered=["tcy", "hi"]) == "en"
    assert set(BORROWED) | set(VOICES) == set(PORTAL_LANGUAGES)


def _letters(text: str) -> list[str]:
    named = {f"{{{field}}}" for _, field, _, _ in string.Formatter().parse(text) if field}
    for placeholder in named:
        text = text.replace(placeholder, "")
    return [c for c in text if c.isalpha()]


@pytest.mark.parametrize("language", list(CATALOGUE))
def test_every_prompt_is_written_in_its_languages_script_naming_only_its_values(language):
    low, high = SCRIPTS[language]
    assert set(CATALOGUE[language]) == set(KEYS)
    for key, text in CATALOGUE[language].items():
        assert all(low <= ord(c) <= high for c in _letters(text.lower())), (key, text)
        named = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert named <= PLACEHOLDERS[key], (key, text)


def test_a_borrowed_languages_menu_option_names_it_in_each_voice_it_may_borrow():
    for language, borrowed in BORROWED.items():
        assert set(BORROWED_MENU_OPTION[language]) == {*borrowed, "en"}
    assert prompt_for("menu_option", "tcy", offered=["kn", "tcy"], digit=2).text == (
        "ತುಳುವಿಗಾಗಿ 2 ಒತ್ತಿ."
    )


def test_the_firms_own_text_is_read_by_the_languages_voice_and_a_broken_one_is_not_used():
    own = {("kn", "hold"): "ದಯವಿಟ್ಟು ಕಾಯಿರಿ."}
    prompt = prompt_for("hold", "kn", offered=["kn"], overrides=own)
    assert (prompt.text, prompt.language) == ("ದಯವಿಟ್ಟು ಕಾಯಿರಿ.", "kn-IN")
    # Unknown names, unpaired braces, a spec that fails, an attribute of a value: ours instead.
    for broken in ("{agent} will help", "{firm", "{firm:d}", "{firm.__class__}"):
        said = prompt_for("welcome", "en", overrides={("en", "welcome"): broken}, firm="Acme")
        assert said.text == "Welcome to Acme."
