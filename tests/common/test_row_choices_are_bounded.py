"""A choice of rows given an id no column can hold is an invalid choice on the form, never a
500 (Django looks multiple choices up with `pk__in`, which SQLite could not bind)."""

import pytest
from django.urls import reverse

from billing.staff_forms import ApproveForm, PayoutFilterForm
from clients.models import StaffingRequest
from tests.clients.test_marketplace_pages import _request_form

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


def test_the_request_page_refuses_a_line_id_no_column_holds(client, carol):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(lines=[HUGE]))
    assert response.status_code == 200
    assert response.context["form"].errors["lines"] == [
        f"Select a valid choice. {HUGE} is not one of the available choices."
    ]
    assert not StaffingRequest.objects.exists()


def test_finance_forms_refuse_a_row_id_no_column_holds():
    assert "payout" in ApproveForm({"payout": [HUGE]}).errors
    assert "run" in PayoutFilterForm({"run": HUGE}).errors


def test_an_id_in_range_that_is_not_there_is_the_usual_invalid_choice():
    assert "payout" in ApproveForm({"payout": ["12345"]}).errors
