"""What goes into a bank's file, field by field: the NEFT layouts and ISO 20022 pain.001.

Plain functions of a payout (and the export record), no queries: billing.exports chooses the
payouts, records the export and streams what these return. Every text field is cut to the
length and alphabet its layout allows *here*, at output, whatever was typed at input: a field
too long or a character a bank's parser refuses rejects the whole file at the bank.

NEFT layouts (setting PAYOUT_NEFT_LAYOUT; each bank has its own and no bank reads another's):

- ``generic`` — a header row, then: N, account, amount, name (≤ 35), IFSC, narration,
  reference. Our own simple layout, for a bank portal that maps columns on upload.
- ``hdfc`` — HDFC Bank's ENet bulk upload ("Vendor payments" / RBI adapter upload file):
  comma-separated ASCII, no header row, 28 fields a row, no commas or special characters in
  any field, named ClientCode + DDMM + "." + a 3-digit serial. Fields we fill: 1 transaction
  type (N = NEFT), 3 beneficiary account (≤ 25), 4 amount (≤ 17 digits, 2 decimals, no
  separators), 5 beneficiary name (≤ 35 for NEFT), 14 customer reference (≤ 20), 15 payment
  details 1 (≤ 30), 23 transaction date (DD/MM/YYYY), 25 IFSC; the others stay empty (DD and
  cheque fields, and the optional beneficiary code, addresses, bank name, e-mail). Source:
  HDFC Bank, "Bulk transactions upload manual" (ENet) and its upload file format annexure.

Money and dates here are the bank's, not the pages' (issue 15's one rule for showing money,
common.money.format_money, and periods, common.dates.period_label, is for people): every
amount is the plain machine number the layout requires — digits, a point, two decimals, no
"₹", no grouping (NEFT's amount field, pain.001's InstdAmt and CtrlSum, xs:decimal) — and the
narration keeps its compact ASCII date ("23Nov2026": 30 characters, letters and digits only).
A "₹" or an en dash would have the whole file rejected. Only the reasons a payout is left out
of a file, which finance reads on the payouts page, use the people's format.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone

from agents.banking import IFSC_PATTERN, validate_iban
from billing.models import Payout, PayoutExport
from common.errors import ApplicationError
from common.money import format_money

PAIN_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
NAME_LONGEST = 70  # pain.001: Max70Text is what banks keep of a name (EPC's SEPA rulebook)
NEFT_NAME_LONGEST = 35
NARRATION_LONGEST = 30
HDFC_FIELDS = 28
HDFC_AMOUNT = re.compile(r"[0-9]{1,17}\.[0-9]{2}")

# Our own layout's header stays as it is: a bank portal maps these names on upload, and NEFT
# is rupees only, so "Amount" needs no currency (and an ASCII header parses everywhere).
GENERIC_HEADER = [
    "Transaction Type (N=NEFT)",
    "Beneficiary Account Number",
    "Amount",
    "Beneficiary Name",
    "IFSC",
    "Narration",
    "Payout reference",
]


def reference(payout: Payout) -> str:
    return reference_of(payout.pk)


def reference_of(payout_id: int) -> str:
    return f"HS-PAYOUT-{payout_id}"


def _ascii(value: str) -> str:
    # "José" -> "Jose": the accents go, the letters stay (NFKD splits them off).
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def neft_name(value: str) -> str:
    """Letters, digits and single spaces, ≤ 35: what every NEFT upload parser accepts."""
    kept = re.sub(r"[^A-Za-z0-9 ]", " ", _ascii(value))
    return re.sub(r"\s+", " ", kept).strip()[:NEFT_NAME_LONGEST].strip()


def narration(payout: Payout) -> str:
    # The period's first day, compact: the bank's field is ≤ 30 ASCII letters and digits.
    return f"Homeshore payout {payout.run.period_start:%d%b%Y}"[:NARRATION_LONGEST]


def generic_row(payout: Payout, *, today: dt.date) -> list[str]:
    agent = payout.agent
    return [
        "N",
        agent.bank_account,
        f"{payout.net:.2f}",
        neft_name(agent.bank_holder_name),
        agent.bank_ifsc,
        narration(payout),
        reference(payout),
    ]


def hdfc_row(payout: Payout, *, today: dt.date) -> list[str]:
    agent = payout.agent
    row = [""] * HDFC_FIELDS
    row[0] = "N"
    row[2] = agent.bank_account
    row[3] = f"{payout.net:.2f}"
    row[4] = neft_name(agent.bank_holder_name)
    row[13] = f"HSPAYOUT{payout.pk}"[:20]  # no hyphen: ENet wants no special characters
    row[14] = narration(payout)
    row[22] = f"{today:%d/%m/%Y}"
    row[24] = agent.bank_ifsc
    return row


# layout -> (header row or None, the row of one payout)
NEFT_LAYOUTS = {"generic": (GENERIC_HEADER, generic_row), "hdfc": (None, hdfc_row)}


def neft_problem(payout: Payout) -> str | None:
    """Why `payout` cannot go into a NEFT file, or None."""
    agent = payout.agent
    if payout.currency != "INR":
        return f"NEFT pays rupees only; this payout is in {payout.currency}."
    if not IFSC_PATTERN.fullmatch(agent.bank_ifsc):
        return f"The IFSC code {agent.bank_ifsc!r} is not valid (e.g. SBIN0001234)."
    if not re.fullmatch(r"[0-9]{9,18}", agent.bank_account):
        return "The account number on file is not 9 to 18 digits."
    if not neft_name(agent.bank_holder_name):
        return (
            "No account holder name in Latin letters: the agent is asked for it on their bank page."
        )
    if not HDFC_AMOUNT.fullmatch(f"{payout.net:.2f}"):
        amount = format_money(payout.net, payout.currency)
        return f"The amount {amount} cannot be written as a bank amount."
    return None


def neft_filename(export: PayoutExport, *, serial: int) -> str:
    if export.layout == "hdfc":
        code = re.sub(r"[^A-Za-z0-9]", "", settings.PAYOUT_HDFC_CLIENT_CODE)[:4] or "HSHR"
        return f"{code.upper()}{timezone.localdate(export.created_at):%d%m}.{serial % 1000:03d}"
    return f"payouts-{export.msg_id}.neft.csv"


# --- pain.001 ----------------------------------------------------------------------------

# The schema takes any XML text, but banks take the Latin character set of SWIFT and the EPC
# (a-z A-Z 0-9 / - ? : ( ) . , ' + space): anything else, control characters included, would
# have the file rejected or the name garbled. Accents are dropped first ("José" -> "Jose").
_NOT_LATIN_SET = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def xml_text(value: str, longest: int) -> str:
    """`value` as pain.001 text: the Latin set only, spaces single, at most `longest`
    characters (counted before escaping, as the schema counts them), escaped."""
    value = re.sub(r"\s+", " ", _NOT_LATIN_SET.sub(" ", _ascii(value))).strip()
    return escape(value[:longest].strip())


def pain_problem(payout: Payout) -> str | None:
    """Why `payout` cannot go into a pain.001, or None."""
    try:
        validate_iban(payout.agent.bank_account)
    except ApplicationError as error:
        return f"The IBAN on file is not valid: {error.message}"
    if not xml_text(payout.agent.bank_holder_name, NAME_LONGEST):
        return (
            "No account holder name in Latin letters: the agent is asked for it on their bank page."
        )
    if payout.net >= Decimal("1e13"):
        amount = format_money(payout.net, payout.currency)
        return f"The amount {amount} is more than a pain.001 amount holds."
    return None


def pain_transaction(payout: Payout) -> str:
    iban = re.sub(r"\s+", "", payout.agent.bank_account).upper()
    name = xml_text(payout.agent.bank_holder_name, NAME_LONGEST)
    return (
        f"<CdtTrfTxInf><PmtId><EndToEndId>{reference(payout)}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="{escape(payout.currency)}">{payout.net:.2f}</InstdAmt></Amt>'
        f"<Cdtr><Nm>{name}</Nm></Cdtr>"
        f"<CdtrAcct><Id><IBAN>{escape(iban)}</IBAN></Id></CdtrAcct>"
        f"<RmtInf><Ustrd>{xml_text(narration(payout), 140)}</Ustrd></RmtInf>"
        "</CdtTrfTxInf>\n"
    )


def pain_sums(count: int, total: Decimal) -> str:
    return f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total:.2f}</CtrlSum>"


def pain_head(export: PayoutExport, *, debtor: dict[str, str], count: int, total: Decimal) -> str:
    created = export.created_at.astimezone(dt.UTC).replace(microsecond=0)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PAIN_NS}">'
        f"<CstmrCdtTrfInitn>\n<GrpHdr><MsgId>{escape(export.msg_id)}</MsgId>"
        f"<CreDtTm>{created.isoformat()}</CreDtTm>{pain_sums(count, total)}"
        f"<InitgPty><Nm>{xml_text(debtor['name'], NAME_LONGEST)}</Nm></InitgPty></GrpHdr>\n"
    )


def pain_block_head(
    export: PayoutExport, *, debtor: dict[str, str], currency: str, count: int, total: Decimal
) -> str:
    """One payment information block a currency: its own count and control sum."""
    name, day = xml_text(debtor["name"], NAME_LONGEST), timezone.localdate(export.created_at)
    return (
        f"<PmtInf><PmtInfId>HS{export.pk}-{escape(currency)}</PmtInfId><PmtMtd>TRF</PmtMtd>"
        f"{pain_sums(count, total)}<ReqdExctnDt>{day:%Y-%m-%d}</ReqdExctnDt>"
        f"<Dbtr><Nm>{name}</Nm></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{escape(debtor['iban'])}</IBAN></Id></DbtrAcct>"
        f"<DbtrAgt><FinInstnId><BIC>{escape(debtor['bic'])}</BIC></FinInstnId></DbtrAgt>"
        "<ChrgBr>SHAR</ChrgBr>\n"
    )


PAIN_BLOCK_TAIL = "</PmtInf>\n"
PAIN_TAIL = "</CstmrCdtTrfInitn>\n</Document>\n"
