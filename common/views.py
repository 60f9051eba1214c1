"""How an HTML page answers a rule a service enforced (`common.errors.ApplicationError`): one
place, as `common.api.exception_handler` is for the API. Views never catch it themselves.

Two shapes of page:

- A form: `with errors_to_form(form):` around the service call and what follows it. A refusal
  becomes an error next to `error.field` (the whole form's when that is not one of its fields),
  and the view goes on to draw its page again with the form, its usual context and status —
  the same answer as for input the form itself rejects. (Only the view knows how to draw its
  page, so this half is a `with`, not a decorator.)
- A button (a POST that does one thing, then redirects): `@errors_to_message(…)` on the view.
  A refusal becomes `messages.error` and a redirect to a URL name, reversed with the view's
  own URL arguments named after it; or, for a page that answers otherwise (an htmx fragment,
  the page again with the error's status), a callable `(request, error, **kwargs)` that answers.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.errors import ApplicationError

Answer = Callable[..., HttpResponse]


@contextmanager
def errors_to_form(form: forms.Form) -> Iterator[None]:
    """A refusal raised inside becomes an error on `form`, next to its field; the view goes on."""
    try:
        yield
    except ApplicationError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def errors_to_message(redirect_to: str | Answer, *url_kwargs: str):
    """Decorate a button-style view: a refusal becomes a message and a redirect (see above)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as error:
                if callable(redirect_to):
                    return redirect_to(request, error, *args, **kwargs)
                messages.error(request, error.message)
                return redirect(redirect_to, **{name: kwargs[name] for name in url_kwargs})

        return wrapped

    return decorator


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: list[str],
    confirm_label: str,
    cancel_url: str,
    action_url: str = "",
    form: forms.Form | None = None,
    hidden: tuple[tuple[str, object], ...] = (),
) -> HttpResponse:
    """The page a destructive button links to: what will happen, a POST button that does it,
    and a way back. Plain HTML (no JavaScript confirm(), which CSP and phones make unreliable):
    the GET changes nothing; `action_url` (default: this page) takes the POST, with `hidden`
    fields and `form` (a reason, say) if the action needs them."""
    context = {
        "title": title,
        "consequences": consequences,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "action_url": action_url or request.get_full_path(),
        "form": form,
        "hidden": hidden,
    }
    return render(request, "confirm.html", context)
