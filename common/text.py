"""Text people type, as we store it: NFC, and without control characters.

A control character in a name is invisible on a page and fatal elsewhere: one U+0001 in an
agent's name made the whole pain.001 payment file ill-formed XML (XML 1.0 allows no C0
control but tab, newline and carriage return). So every form and every API input of ours
refuses C0 and C1 controls, DEL, lone surrogates and the non-characters U+FFFE/U+FFFF — a
multi-line text (a textarea) keeps tab, newline and carriage return — and takes text in
NFC, so "é" typed as e + U+0301 is stored, compared and searched as the one "é".

One mechanism each side: `common.forms.Form` / `ModelForm` (every form of ours) and
`common.api.InputSerializer` (every API input) apply `TextValidator` to each of their text
fields and normalise what they read; tests/common/test_text_is_clean.py walks them all.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def text_normalise(value):
    """NFC of a string (a list's or dict's strings too); anything else as it is."""
    if isinstance(value, str):
        # A lone surrogate cannot be normalised; TextValidator refuses it afterwards.
        try:
            return unicodedata.normalize("NFC", value)
        except UnicodeError:
            return value
    if isinstance(value, list):
        return [text_normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: text_normalise(item) for key, item in value.items()}
    return value


@deconstructible
class TextValidator:
    """Refuses control characters (see the module): single-line text takes none, multi-line
    text tab, newline and carriage return."""

    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = (_MULTI_LINE if self.multiline else _SINGLE_LINE).search(value)
        if found:
            raise ValidationError(
                "Remove the invisible control character (U+%(code)04X) from this text.",
                code=self.code,
                params={"code": ord(found.group())},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline
