"""The language of a consumer's message, detected offline (issue 18).

lingua-language-detector knows English, Hindi, Tamil, Telugu, Marathi, Bengali and Gujarati
of the languages agents speak; it has no Kannada or Malayalam, which are told by their own
Unicode blocks instead (no other language of ours is written in them). Konkani and Tulu are
neither: a queue serving them fixes its language.

One detector is built, the first time it is needed (it loads its models then), and kept.
"""

import threading

from lingua import Language, LanguageDetectorBuilder

from agents.models import AgentLanguage

Code = AgentLanguage.Code
LINGUA_CODES: dict[Language, str] = {
    Language.ENGLISH: Code.ENGLISH,
    Language.HINDI: Code.HINDI,
    Language.TAMIL: Code.TAMIL,
    Language.TELUGU: Code.TELUGU,
    Language.MARATHI: Code.MARATHI,
    Language.BENGALI: Code.BENGALI,
    Language.GUJARATI: Code.GUJARATI,
}
# Unicode blocks of the scripts only one language of ours is written in.
SCRIPT_BLOCKS: dict[str, tuple[int, int]] = {
    Code.KANNADA: (0x0C80, 0x0CFF),
    Code.MALAYALAM: (0x0D00, 0x0D7F),
}
# Unsure below these: too few letters to tell, or lingua's best guess too weak.
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.6
# The start of a message says which language it is in; the rest costs time, not accuracy.
SAMPLE_CHARS = 1000

_detector = None
_detector_lock = threading.Lock()


def detector():
    """The one lingua detector, restricted to our languages (built on first use)."""
    global _detector  # built once per process, lazily: loading takes a while
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                _detector = LanguageDetectorBuilder.from_languages(*LINGUA_CODES).build()
    return _detector


def language_detect(text: str) -> str:
    """An AgentLanguage code for `text`, or "" when unsure (short text, weak confidence)."""
    sample = (text or "")[:SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        return ""
    for code, (low, high) in SCRIPT_BLOCKS.items():
        # Combining vowel signs are marks, not letters: count the block's code points.
        in_block = sum(1 for ch in sample if low <= ord(ch) <= high)
        if in_block * 2 >= len(letters):
            return code
    values = detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return ""
    return LINGUA_CODES[values[0].language]


def language_choose(*, queue_language: str, line_languages, text: str) -> tuple[str, str]:
    """(language, source) of a new conversation: the queue's when it fixes one ("queue"),
    else the detected one if the line offers it ("detected"), else the line's first
    ("line"; "" when the line offers none)."""
    if queue_language:
        return queue_language, "queue"
    offered = list(line_languages)
    detected = language_detect(text)
    if detected and detected in offered:
        return detected, "detected"
    return (offered[0] if offered else ""), "line"
