"""The base of every form of ours: its text fields refuse control characters and read NFC
(`common.text`). Forms subclass `common.forms.Form` / `ModelForm` instead of Django's."""

from django import forms

from common.text import TextValidator, text_normalise


def _is_text(field: forms.Field) -> bool:
    # A password is hashed, never shown or exported, and must match what the user types at
    # sign-in (allauth's form, which normalises nothing): left exactly as typed.
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


class CleanTextMixin:
    def full_clean(self):
        # Here, not in __init__: some forms add their fields in their own __init__ (a line's
        # prompts, one per key), after ours would have run.
        texts = []
        for name, field in self.fields.items():
            if _is_text(field):
                if not any(isinstance(v, TextValidator) for v in field.validators):
                    multiline = isinstance(field.widget, forms.Textarea)
                    field.validators.append(TextValidator(multiline=multiline))
                texts.append(self.add_prefix(name))
        if self.is_bound and texts:
            self.data = self._normalised(self.data, texts)
        super().full_clean()

    @staticmethod
    def _normalised(data, keys: list[str]):
        data = data.copy()  # a QueryDict's copy is mutable
        for key in keys:
            if key not in data:
                continue
            if hasattr(data, "setlist"):
                data.setlist(key, text_normalise(data.getlist(key)))
            else:
                data[key] = text_normalise(data[key])
        return data


class Form(CleanTextMixin, forms.Form):
    pass


class ModelForm(CleanTextMixin, forms.ModelForm):
    pass
