"""Campaigns' forms. Lists and imports first; campaign forms follow at the end."""

from django import forms

from common.forms import Form

# --- Lists, do-not-call and the registry (campaigns.imports) --------------------------------


class ImportUploadForm(Form):
    file = forms.FileField(label="File (CSV in UTF-8, or XLSX)")

    def __init__(self, *args, refused: str = "", label: str = "", help_text: str = "", **kwargs):
        """`refused`: why the upload was stopped before it was read (agents.uploads' handler:
        a request over CAMPAIGNS_IMPORT_MAX_BYTES); the form then has no file, and says why."""
        super().__init__(*args, **kwargs)
        if label:
            self.fields["file"].label = label
        self.fields["file"].help_text = help_text
        if refused:
            self.fields["file"].error_messages["required"] = refused


class ContactListForm(Form):
    name = forms.CharField(label="New list", max_length=120)


class SuppressionAddForm(Form):
    number = forms.CharField(
        label="Number", max_length=40, help_text="Without +, a number is read as Indian."
    )
