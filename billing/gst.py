"""GST on the agency's invoices: who supplies, where the supply is, and the tax on a line.

Pure rules, read from settings (the supplier) and the recipient's stored details:
- the place of supply of the agency's service is the recipient's state (IGST Act, s. 12(2):
  the registered recipient's location, or an unregistered one's address on record), and the
  supplier's own state when no address is on record;
- supplier state == place of supply: CGST + SGST, half the rate each; otherwise IGST;
- tax is computed per line on its taxable value and rounded half up to the paisa on its own
  (common.money.quantize), then summed: the invoice's tax is the sum of its lines' tax.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from common.money import quantize


@dataclass(frozen=True)
class Supplier:
    name: str
    address: str
    state: str
    gstin: str
    pan: str


def supplier() -> Supplier:
    return Supplier(
        name=settings.AGENCY_LEGAL_NAME,
        address=settings.AGENCY_ADDRESS,
        state=settings.AGENCY_STATE,
        gstin=settings.AGENCY_GSTIN,
        pan=settings.AGENCY_PAN,
    )


def place_of_supply(*, recipient_state: str, supplier_state: str) -> str:
    return recipient_state or supplier_state


@dataclass(frozen=True)
class LineTax:
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def line_tax(amount: Decimal, *, rate: Decimal, intra_state: bool, currency: str) -> LineTax:
    """The GST on one line's taxable value at `rate` percent: CGST and SGST at half the rate
    each, rounded each (so their sum may differ by a paisa from IGST on the same value), or
    IGST at the whole rate."""
    zero = quantize(0, currency)
    if intra_state:
        half = quantize(Decimal(amount) * rate / 2 / 100, currency)
        return LineTax(cgst=half, sgst=half, igst=zero)
    return LineTax(cgst=zero, sgst=zero, igst=quantize(Decimal(amount) * rate / 100, currency))


def series_name(fy_label: str) -> str:
    """'HS/26-27' for the financial year '2026-27'."""
    first, last = fy_label.split("-")
    return f"{settings.INVOICE_SERIES_PREFIX}/{first[2:]}-{last}"


def invoice_number(series: str, serial: int) -> str:
    return f"{series}/{serial:06d}"
