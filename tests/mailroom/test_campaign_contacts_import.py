"""The contact importer takes an email column: checked, lower case, and enough on its own."""

import pytest

from clients.contacts import ImportRefused, contacts_import
from clients.models import Contact

pytestmark = pytest.mark.django_db


def test_a_contact_with_an_address_and_no_number_is_imported(carol, acme):
    data = b"name,number,email\nAsha,,Asha@Example.NET\nRavi,+919845012345,ravi@example.net\n"
    result = contacts_import(firm=acme, user=carol, data=data)
    assert result.created == 2
    assert set(Contact.objects.values_list("name", "email")) == {
        ("Asha", "asha@example.net"),
        ("Ravi", "ravi@example.net"),
    }
    again = contacts_import(firm=acme, user=carol, data=b"email,policy\nasha@example.net,P-1\n")
    assert (again.created, again.updated) == (0, 1)
    assert Contact.objects.get(email="asha@example.net").fields == {"policy": "P-1"}


def test_a_bad_address_is_a_row_error(carol, acme):
    with pytest.raises(ImportRefused) as refused:
        contacts_import(firm=acme, user=carol, data=b"name,number,email\nAsha,,not-an-address\n")
    assert refused.value.errors == ["Row 2: “not-an-address” is not an email address."]
    assert not Contact.objects.exists()
