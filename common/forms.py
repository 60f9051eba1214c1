"""The base of every form of ours: its text fields refuse control characters and read NFC
(`common.text`), and its row choices refuse an id no column holds. Forms subclass
`common.forms.Form` / `ModelForm` instead of Django's."""

import datetime as dt

from django import forms
from django.db import models
from django.utils import timezone

from common.limits import ROW_ID
from common.text import TextValidator, text_normalise

EARLIEST_DAY = dt.date(2000, 1, 1)


def past_day_field(label: str, *, widget: forms.Widget | None = None) -> forms.DateField:
    """An optional local day from 2000 to today, for filters of what has happened (calls,
    audit records). A later day has nothing to show, and the year 9999 would overflow the day
    after it, which an inclusive end needs (a 500 on /staff/audit/?date_to=9999-12-31)."""

    def in_range(day: dt.date) -> None:
        if not EARLIEST_DAY <= day <= timezone.localdate():
            raise forms.ValidationError("Choose a day from 2000 to today.")

    widget = widget or forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(required=False, label=label, widget=widget, validators=[in_range])


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


class RowIdMixin:
    """A choice of rows (ModelChoiceField, ModelMultipleChoiceField) refuses an id past
    `ROW_ID` as an invalid choice. Django looks a multiple choice up with `pk__in`, which
    does not guard an integer the column cannot hold: SQLite raised OverflowError (a 500)."""

    def full_clean(self):
        refused = {}
        if self.is_bound:
            for name, field in self.fields.items():
                if isinstance(field, forms.ModelChoiceField) and _keyed_by_integer(field):
                    wrong = _out_of_range(self.data, self.add_prefix(name))
                    if wrong:
                        refused[name] = wrong
                        self.data = self.data.copy()
                        self.data.pop(self.add_prefix(name))
        super().full_clean()
        for name, wrong in refused.items():
            message = self.fields[name].error_messages["invalid_choice"] % {"value": wrong}
            self._errors[name] = self.error_class([message])
            self.cleaned_data.pop(name, None)


def _keyed_by_integer(field: forms.ModelChoiceField) -> bool:
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    return isinstance(key, models.IntegerField)


def _out_of_range(data, key: str) -> str:
    values = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
    values = values if isinstance(values, list | tuple) else [values]
    for value in values:
        text = str(value).strip()
        if text.isascii() and text.isdigit() and not ROW_ID.low <= int(text) <= ROW_ID.high:
            return text
    return ""


class Form(CleanTextMixin, RowIdMixin, forms.Form):
    pass


class ModelForm(CleanTextMixin, RowIdMixin, forms.ModelForm):
    pass
