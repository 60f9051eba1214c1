"""mailroom.language: detected offline, chosen queue first, then detected, then the line's."""

import pytest

from mailroom.language import language_choose, language_detect


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hello, I sent my claim papers last week. When will it be paid?", "en"),
        ("मेरा दावा अभी तक नहीं मिला है, कृपया जल्दी जवाब दें।", "hi"),
        ("என் காப்பீட்டு கோரிக்கை இன்னும் வரவில்லை", "ta"),
        ("নার ক্লেইম এখনও আসেনি, দয়া করে জানান", "bn"),
        ("ನನ್ನ ಕ್ಲೈಮ್ ಇನ್ನೂ ಬಂದಿಲ್ಲ ದಯವಿಟ್ಟು ತಿಳಿಸಿ", "kn"),
        ("എന്റെ ക്ലെയിം ഇതുവരെ ലഭിച്ചിട്ടില്ല", "ml"),
        ("ok thanks", ""),
    ],
)
def test_it_detects_our_languages_or_says_it_is_unsure(text, code):
    assert language_detect(text) == code


def test_the_queue_fixes_the_language_before_anything_is_detected():
    chosen = language_choose(
        queue_language="ta", line_languages=["en"], text="Hello there, my friend"
    )
    assert chosen == ("ta", "queue")


def test_a_detected_language_counts_only_when_the_line_offers_it():
    hindi = "मेरा दावा अभी तक नहीं मिला है, कृपया जल्दी जवाब दें।"
    assert language_choose(queue_language="", line_languages=["en", "hi"], text=hindi) == (
        "hi",
        "detected",
    )
    assert language_choose(queue_language="", line_languages=["en", "ta"], text=hindi) == (
        "en",
        "line",
    )
    assert language_choose(queue_language="", line_languages=["hi", "en"], text="ok") == (
        "hi",
        "line",
    )
