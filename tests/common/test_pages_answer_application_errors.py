"""common.views: a rule a service enforced becomes an error next to its field on a form page,
or a message and a redirect after a button."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory

from common.errors import ApplicationError, ConflictError
from common.views import errors_to_form, errors_to_message


class NameForm(forms.Form):
    name = forms.CharField()


def _request(data=None):
    request = RequestFactory().post("/somewhere/", data or {"name": "Acme"})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _form_page(service):
    """A form view as the apps write them: the page again when the service says no."""

    def view(request):
        form = NameForm(request.POST)
        if form.is_valid():
            with errors_to_form(form):
                service(name=form.cleaned_data["name"])
                return redirect("/done/")
        return HttpResponse(form.errors.as_json(), status=400)

    return view


def _refuse(error):
    def service(**kwargs):
        raise error

    return service


def test_a_refusal_naming_a_field_is_shown_next_to_it_and_the_page_is_drawn_again():
    view = _form_page(_refuse(ApplicationError("That name is taken.", field="name")))
    response = view(_request())
    assert response.status_code == 400
    assert "That name is taken." in response.content.decode()
    assert '"name"' in response.content.decode()


def test_a_refusal_naming_no_field_of_the_form_is_the_whole_forms_error():
    view = _form_page(_refuse(ConflictError("Try again.", field="not_on_this_form")))
    form_errors = view(_request()).content.decode()
    assert '"__all__"' in form_errors
    assert "Try again." in form_errors


def test_a_form_the_service_accepts_goes_on_as_written():
    response = _form_page(lambda **kwargs: None)(_request())
    assert response.status_code == 302
    assert response["Location"] == "/done/"


def test_a_refused_button_shows_the_message_and_redirects_with_the_views_own_arguments():
    @errors_to_message("vetting:agent", "pk")
    def decide(request, pk: int, kind: str):
        raise ConflictError("This agent is already verified.")

    request = _request()
    response = decide(request, pk=7, kind="identity")
    assert response.status_code == 302
    assert response["Location"] == "/staff/vetting/7/"
    assert _messages(request) == [("error", "This agent is already verified.")]


def test_a_button_the_service_accepts_answers_as_the_view_does():
    @errors_to_message("agents:home")
    def submit(request):
        return HttpResponse("submitted")

    request = _request()
    assert submit(request).content == b"submitted"
    assert _messages(request) == []


def test_a_page_that_answers_otherwise_gets_the_error_to_answer_with():
    def refused(request, error, pk):
        return HttpResponse(f"{pk}: {error.message}", status=error.status_code)

    @errors_to_message(refused)
    def paid(request, pk: int):
        raise ConflictError("Approve the payout first.")

    response = paid(_request(), pk=3)
    assert (response.status_code, response.content) == (409, b"3: Approve the payout first.")


def test_anything_but_an_application_error_is_not_swallowed():
    @errors_to_message("agents:home")
    def broken(request):
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        broken(_request())
