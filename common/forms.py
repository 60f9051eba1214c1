from collections.abc import Callable

from django import forms

from common.errors import ApplicationError


def form_apply(form: forms.Form, service: Callable, /, **kwargs) -> bool:
    """Call `service`; a rule it enforces becomes a form error next to its field."""
    try:
        service(**kwargs)
    except ApplicationError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return False
    return True
