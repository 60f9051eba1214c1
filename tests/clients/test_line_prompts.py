"""A firm words its own line's prompts, per language and prompt, on the line's page; blank plays
the catalogue's. Another firm's line, or a language the line doesn't offer, is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from clients.models import LinePrompt
from clients.prompts import CATALOGUE
from clients.services import line_prompts_set, line_save
from common.errors import ApplicationError
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, name="Claims", languages=["en", "kn", "tcy"])


def _page(line, language: str) -> str:
    return reverse("clients:line_prompts", args=[line.pk, language])


def _own(line) -> dict:
    return {(p.language, p.key): p.text for p in LinePrompt.objects.filter(line=line)}


def test_the_lines_page_links_to_its_prompts_in_each_language(client, carol, line):
    client.force_login(carol)
    body = client.get(reverse("clients:line", args=[line.pk])).content.decode()
    for language in ("en", "kn", "tcy"):
        assert _page(line, language) in body


def test_the_page_shows_our_text_for_each_prompt_and_keeps_the_firms_own(client, carol, line):
    client.force_login(carol)
    body = client.get(_page(line, "kn")).content.decode()
    assert CATALOGUE["kn"]["hold"] in body and CATALOGUE["kn"]["voicemail"] in body
    response = client.post(_page(line, "kn"), {"hold": " ದಯವಿಟ್ಟು\n ಕಾಯಿರಿ. ", "welcome": ""})
    assert response.status_code == 302
    assert _own(line) == {("kn", "hold"): "ದಯವಿಟ್ಟು ಕಾಯಿರಿ."}
    assert "ದಯವಿಟ್ಟು ಕಾಯಿರಿ." in client.get(_page(line, "kn")).content.decode()


def test_a_blank_prompt_or_our_own_text_goes_back_to_the_catalogue(client, carol, line):
    LinePrompt.objects.create(line=line, language="kn", key="hold", text="ಕಾಯಿರಿ.")
    LinePrompt.objects.create(line=line, language="kn", key="closed", text="ನಾಳೆ ಬನ್ನಿ.")
    client.force_login(carol)
    client.post(_page(line, "kn"), {"hold": "", "closed": CATALOGUE["kn"]["closed"]})
    assert _own(line) == {}


def test_a_prompt_naming_a_value_it_may_not_is_refused_next_to_it(client, carol, line):
    client.force_login(carol)
    response = client.post(_page(line, "en"), {"hold": "Hello {firm}", "welcome": "Hi {firm"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "may name no values, not {firm}" in errors["hold"][0]
    assert "Braces" in errors["welcome"][0]
    assert _own(line) == {}


def test_a_borrowed_language_says_which_voice_reads_it(client, carol, line):
    client.force_login(carol)
    body = " ".join(client.get(_page(line, "tcy")).content.decode().split())
    assert "no Tulu voice" in body and "read by the Kannada voice" in body
    assert "ತುಳುವಿಗಾಗಿ {digit} ಒತ್ತಿ." in body


def test_another_firms_line_and_a_language_not_offered_are_404(client, carol, dave, line):
    client.force_login(dave)
    assert client.get(_page(line, "kn")).status_code == 404
    assert client.post(_page(line, "kn"), {"hold": "Hijacked"}).status_code == 404
    client.force_login(carol)
    assert client.get(_page(line, "hi")).status_code == 404
    assert client.post(_page(line, "hi"), {"hold": "x"}).status_code == 404
    assert _own(line) == {}


def test_saving_the_line_again_keeps_its_prompts(acme, line):
    LinePrompt.objects.create(line=line, language="kn", key="hold", text="ಕಾಯಿರಿ.")
    line_save(
        firm=acme,
        line=line,
        number=str(line.number),
        name="Claims",
        domain="insurance",
        region_geoname_id=line.region_geoname_id,
        time_zone="Asia/Kolkata",
        business_days="01234",
        opens_at=dt.time(9),
        closes_at=dt.time(18),
        languages=[("kn", 1), ("en", 2)],
    )
    assert _own(line) == {("kn", "hold"): "ಕಾಯಿರಿ."}


def test_the_service_refuses_another_firms_line_a_language_not_offered_and_an_unknown_prompt(
    acme, globex, line
):
    refusals = [
        ({"firm": globex, "language": "kn", "texts": {"hold": "x"}}, None),
        ({"firm": acme, "language": "hi", "texts": {"hold": "x"}}, "language"),
        ({"firm": acme, "language": "kn", "texts": {"goodbye": "x"}}, None),
        ({"firm": acme, "language": "kn", "texts": {"hold": "{digit}"}}, "hold"),
        ({"firm": acme, "language": "kn", "texts": {"hold": "x" * 501}}, "hold"),
    ]
    for kwargs, field in refusals:
        with pytest.raises(ApplicationError) as refused:
            line_prompts_set(line=line, **kwargs)
        assert refused.value.field == field, refused.value.message
    assert _own(line) == {}
