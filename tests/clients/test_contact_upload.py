"""The firm's contacts: a CSV upload, all or nothing (every bad row named), duplicates merged
by external id or number, UTF-8 with or without BOM, a too-big file refused before it is
read; the list by name, searched; firm admins upload, members read, other firms see none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.contacts import MAX_BYTES, ImportRefused, contacts_import
from clients.models import Contact, ContactNumber, FirmMember
from clients.services import NotAllowed
from common.models import AuditAction, AuditRecord
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db
BOUNDARY = "BoUnDaRy"

GOOD = (
    "number,name,language,external_id,plan,open_ticket\n"
    "+919845012345,Ravi Kumar,kn,C-1,Gold,T-1182\n"
    "098450 12346;08242440000,Asha Rao,Tamil,C-2,Silver,\n"
)


def upload(client, text: str | bytes, name="contacts.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("clients:contacts_upload"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def numbers_of(contact) -> set[str]:
    return {str(n.number) for n in contact.numbers.all()}


def test_an_admin_uploads_contacts_with_their_numbers_and_fields(client, carol, acme):
    client.force_login(carol)
    answer = upload(client, GOOD)
    assert answer.status_code == 302
    ravi, asha = Contact.objects.filter(firm=acme).order_by("external_id")
    assert (ravi.name, ravi.language, ravi.fields) == (
        "Ravi Kumar",
        "kn",
        {"plan": "Gold", "open_ticket": "T-1182"},
    )
    assert numbers_of(asha) == {"+919845012346", "+918242440000"}  # read as Indian, E.164
    assert (asha.language, asha.fields) == ("ta", {"plan": "Silver"})  # empty cells: no field
    record = AuditRecord.objects.about(acme).get(action=AuditAction.CONTACTS_IMPORTED)
    assert record.detail == {"rows": 2, "created": 2, "updated": 0, "numbers_added": 3}
    assert "Ravi" not in str(record.detail)  # counts only


def test_a_bad_row_is_named_and_nothing_is_written(client, carol, acme):
    client.force_login(carol)
    text = GOOD + "12345,Bad Number,,,\n+919845012347,Bad Language,xx,,\n,No Number,,,\n"
    page = upload(client, text).content.decode()
    assert "Nothing was imported." in page
    assert "Row 4: “12345” is not a phone number." in page
    assert "Row 5: “xx” is not a language we know." in page and "Row 6: no number." in page
    assert not Contact.objects.exists() and not ContactNumber.objects.exists()


def test_duplicates_merge_by_external_id_or_number(carol, acme):
    contacts_import(firm=acme, user=carol, data=GOOD.encode())
    again = (
        "number,external_id,name,plan,city\n"
        "+919845099999,C-1,,Platinum,Udupi\n"  # same external id: a number added
        "08242440000,,Asha R.,,\n"  # same number: the name updated
        "+919845011111,C-3,New One,Bronze,\n"
        "+919845011111,,,,Puttur\n"  # an earlier row's number: merged in the file
    )
    result = contacts_import(firm=acme, user=carol, data=again.encode())
    assert (result.rows, result.created, result.updated) == (4, 1, 2)
    ravi = Contact.objects.get(external_id="C-1")
    assert numbers_of(ravi) == {"+919845012345", "+919845099999"}
    assert ravi.fields == {"plan": "Platinum", "open_ticket": "T-1182", "city": "Udupi"}
    assert Contact.objects.get(external_id="C-2").name == "Asha R."
    new = Contact.objects.get(external_id="C-3")
    assert new.fields == {"plan": "Bronze", "city": "Puttur"} and Contact.objects.count() == 3


def test_a_row_joining_two_contacts_is_refused(carol, acme):
    contacts_import(firm=acme, user=carol, data=GOOD.encode())
    clash = "number,external_id\n+919845012345;+919845012346,\n"
    with pytest.raises(ImportRefused, match=r"Row 2: the number .* belongs to another contact"):
        contacts_import(firm=acme, user=carol, data=clash.encode())


def test_a_byte_order_mark_and_crlf_are_fine_and_other_encodings_are_refused(carol, acme):
    contacts_import(
        firm=acme, user=carol, data=b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    )
    assert Contact.objects.filter(firm=acme).count() == 2
    with pytest.raises(ImportRefused, match="not UTF-8"):
        contacts_import(
            firm=acme, user=carol, data="number,name\n+919845000001,Jos\xe9\n".encode("latin-1")
        )


def test_a_file_without_a_number_column_is_refused(carol, acme):
    with pytest.raises(ImportRefused, match="no “number” column"):
        contacts_import(firm=acme, user=carol, data=b"name,plan\nRavi,Gold\n")


def test_a_file_too_big_is_refused_before_it_is_read(client, carol):
    client.force_login(carol)
    # 100 MB declared, 256 kB present: the page answers only if nothing reads on (as
    # tests/agents/test_uploads_are_bounded_before_reading.py).
    start = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="contacts.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + GOOD.encode()
    answer = client.generic(
        "POST",
        reverse("clients:contacts_upload"),
        start + b"x" * (256 * 1024),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["file"] == ["The file is larger than the 5 MB limit."]
    assert not Contact.objects.exists()


def test_a_file_just_over_the_limit_is_refused_by_the_service(carol, acme):
    with pytest.raises(ImportRefused, match="larger than 5 MB"):
        contacts_import(firm=acme, user=carol, data=GOOD.encode() + b"x" * MAX_BYTES)


def test_contacts_are_the_firms_own(client, carol, dave, acme, globex):
    contacts_import(firm=acme, user=carol, data=GOOD.encode())
    client.force_login(dave)
    page = client.get(reverse("clients:contacts") + "?q=Ravi").content.decode()
    assert "Ravi Kumar" not in page and "No contacts match" in page
    with pytest.raises(NotAllowed):
        contacts_import(firm=acme, user=dave, data=GOOD.encode())
    # The same number is another firm's contact of its own: no clash across firms.
    contacts_import(firm=globex, user=dave, data=GOOD.encode())
    assert Contact.objects.filter(firm=globex).count() == 2


def test_the_list_searches_by_name_or_number_and_shows_numbers_whole(client, carol, acme):
    contacts_import(firm=acme, user=carol, data=GOOD.encode())
    client.force_login(carol)
    by_number = client.get(reverse("clients:contacts") + "?q=98450 12345").content.decode()
    assert "Ravi Kumar" in by_number and "Asha" not in by_number
    assert "+91 98450 12345" in by_number  # the firm's own data, whole
    by_name = client.get(reverse("clients:contacts") + "?q=asha").content.decode()
    assert "Asha Rao" in by_name and "Ravi" not in by_name


def test_a_member_reads_contacts_but_cannot_upload(client, acme, carol):
    contacts_import(firm=acme, user=carol, data=GOOD.encode())
    member = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user
    client.force_login(member)
    assert "Ravi Kumar" in client.get(reverse("clients:contacts")).content.decode()
    assert client.get(reverse("clients:contacts_upload")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    with pytest.raises(NotAllowed):
        contacts_import(firm=acme, user=member, data=GOOD.encode())


def test_the_list_is_paged_by_keyset(client, carol, acme, django_assert_max_num_queries):
    rows = "".join(f"+9198450{i:05d},Person {i:03d}\n" for i in range(60))
    contacts_import(firm=acme, user=carol, data=("number,name\n" + rows).encode())
    client.force_login(carol)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("clients:contacts")).content.decode()
    assert "Person 049" in first and "Person 050" not in first and 'rel="next"' in first
