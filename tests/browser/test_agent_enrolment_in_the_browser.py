import datetime as dt
import re

import pytest
from django.utils import timezone

from agents.attestations import ATTESTATIONS
from agents.models import AgentProfile
from agents.services import agent_profile_create
from tests.browser.conftest import sign_in, sign_out
from tests.conftest import STAFF_TOTP_SECRET, totp_now
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def asha(db):
    return agent_profile_create(user=UserFactory(email="asha@example.com")).user


def test_an_agent_enrols_a_vetting_admin_verifies_and_the_agent_goes_available(
    page, live_server, asha, victor, smsbox
):
    url = live_server.url
    sign_in(page, url, asha.email)
    page.wait_for_url(re.compile(r"/agent/$"))
    page.get_by_role("button", name="Continue your profile").click()

    page.get_by_label("Full name:").fill("Asha Fernandes")
    page.get_by_label("Former employer:").fill("New India Assurance")
    page.get_by_label("City:").fill("Mangaluru, Karnataka")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Mobile number:").fill("+91 98450 77777")
    page.get_by_role("button", name="Send me a code").click()
    code = re.search(r"\d{6}", smsbox[-1].body).group(0)
    page.get_by_label("Code from the SMS:").fill(code)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Language:").select_option("kn")
    page.get_by_label("Proficiency:").select_option("5")
    page.get_by_role("button", name="Add language").click()
    page.get_by_label("Domain:").select_option("insurance")
    page.get_by_label("Level:").select_option("5")
    page.get_by_label("Years of experience:").fill("27")
    page.get_by_role("button", name="Add skill").click()
    page.get_by_role("link", name="Next: bank account →").click()

    page.get_by_label("Account holder's name:").fill("Asha Fernandes")
    page.get_by_label("IFSC (Indian accounts):").fill("SBIN0001234")
    page.get_by_label("Account number:").fill("123456789012")
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Document uploaded").count() == 0

    for kind, name in (("identity", "aadhaar.pdf"), ("address", "bill.pdf")):
        page.get_by_label("Kind:").select_option(kind)
        page.get_by_label("File:").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Upload").click()
        assert page.get_by_text("Document uploaded.").is_visible()
    page.get_by_role("link", name="Next: attestations →").click()

    for attestation in ATTESTATIONS:
        page.get_by_label(attestation.title, exact=False).check()
    page.get_by_role("button", name="I accept").click()

    page.get_by_label("Monday from:").fill("08:00")
    page.locator("#id_end_0").fill("20:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/agent/$"))
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("Submitted. Our vetting team").is_visible()
    sign_out(page, url)

    # The vetting admin signs in with a TOTP code and verifies every check.
    sign_in(page, url, victor.email)
    page.get_by_label("Code:", exact=True).fill(totp_now(STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/staff/vetting/$"))
    page.get_by_role("link", name="Asha Fernandes").click()
    expiry = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    for kind in ("identity", "address", "background", "infosec_training"):
        section = page.locator(f"#check-{kind}")
        if section.locator("input[name=expires_on]").count():
            section.locator("input[name=expires_on]").fill(expiry)
        section.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Verify agent").click()
    assert page.get_by_text("Verified", exact=True).first.is_visible()
    sign_out(page, url)

    # The agent is verified and goes available without a page reload (htmx).
    sign_in(page, url, asha.email)
    page.wait_for_url(re.compile(r"/agent/$"))
    page.get_by_role("button", name="Go available").click()
    page.get_by_text("You are available").wait_for()
    assert page.get_by_role("button", name="Go offline").is_visible()
    profile = AgentProfile.objects.get(user=asha)
    assert (profile.status, profile.duty_status) == ("verified", "available")
    assert str(profile.phone) == "+919845077777"
