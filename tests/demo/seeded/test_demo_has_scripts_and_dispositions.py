"""The demo shows the agent's workspace with content: each demo line's disposition codes and
scripts in two languages, and past calls with dispositions and notes (and some without)."""

import pytest

from clients.models import LineScript, PhoneLine
from routing.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_twice: str) -> str:
    return demo_twice  # tests/demo/seeded/conftest.py: the package's seed, seeded again


def test_every_demo_line_has_codes_and_scripts_in_two_languages_once():
    for line in PhoneLine.objects.all():
        assert line.dispositions.filter(code="CB", kind="callback").exists()
        assert set(line.scripts.values_list("language", flat=True)) >= {""}
        assert line.scripts.values("language").distinct().count() == 2
    assert set(LineScript.objects.values_list("version", flat=True)) == {1}  # seeded twice


def test_past_calls_have_dispositions_and_notes():
    completed = Call.objects.filter(status="completed")
    submitted = completed.filter(wrap_up="submitted")
    assert submitted.count() > completed.count() / 2
    assert all(c.notes and c.disposition.line_id == c.line_id for c in submitted)
    assert completed.filter(wrap_up="missed").exists()
    assert all(c.wrapped_up_at >= c.ended_at for c in completed)
