"""Indian tax identifiers and the words tax documents print: GSTIN, PAN, states, financial years.

The check digits and formats are python-stdnum's (`stdnum.in_.gstin`, `stdnum.in_.pan`),
maintained against the official algorithms; the state names are our own table, because
stdnum's are dated ("Orissa", "Chattisgarh") and a tax invoice prints the state's name.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

# GST state and union-territory codes (the GSTIN's first two digits; the "place of supply"
# code on an invoice), as the GST portal lists them today. 25 (Daman and Diu) was merged into
# 26 in 2020 and 28 is Andhra Pradesh before 2014: neither is issued any more.
STATES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
}
STATE_CHOICES = sorted(((code, f"{name} ({code})") for code, name in STATES.items()), key=str)


def state_label(code: str) -> str:
    """'Karnataka (29)'; the code alone when it is not one of ours."""
    return f"{STATES[code]} ({code})" if code in STATES else code


def gstin_clean(value: str, *, state: str = "") -> str:
    """The GSTIN in its compact form, or a ValidationError saying what is wrong with it.

    With `state`, the GSTIN must be registered in that state: its first two digits are the
    state code, and an invoice's place of supply is the recipient's registered state."""
    try:
        number = stdnum_gstin.validate(value)
    except StdnumError as error:
        raise ValidationError(_gstin_message(value, error), code="gstin") from None
    if number[:2] not in STATES:
        raise ValidationError(f"{number[:2]} is not a current GST state code.", code="gstin_state")
    if state and number[:2] != state:
        raise ValidationError(
            f"This GSTIN is registered in {state_label(number[:2])}, not in "
            f"{state_label(state)}: choose the state the GSTIN belongs to.",
            code="gstin_state",
        )
    return number


def _gstin_message(value: str, error: StdnumError) -> str:
    compact = stdnum_gstin.compact(value)
    if len(compact) != 15:
        return f"A GSTIN has 15 characters; this one has {len(compact)}."
    if type(error).__name__ == "InvalidChecksum":
        return "This GSTIN's check character is wrong: look for a mistyped character."
    return (
        "This is not a valid GSTIN: two digits of the state, the 10-character PAN, "
        "the registration number, Z and a check character (e.g. 29AAACH7409R1ZX)."
    )


def pan_clean(value: str) -> str:
    """The PAN in its compact upper-case form, or a ValidationError with a clear message."""
    try:
        return stdnum_pan.validate(value)
    except StdnumError:
        raise ValidationError(
            "This is not a valid PAN: five letters, four digits and a letter (e.g. ABCPK1234F).",
            code="pan",
        ) from None


def pan_masked(pan: str) -> str:
    """'ABCPKXXXXF': enough for the agent to recognise it, no more (stdnum's own mask)."""
    return stdnum_pan.mask(pan) if pan else ""


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """India's financial year (April to March) containing `day`, half-open [start, end)."""
    first = day.year if day.month >= 4 else day.year - 1
    return dt.date(first, 4, 1), dt.date(first + 1, 4, 1)


def financial_year_label(day: dt.date) -> str:
    """'2026-27' for any day from 1 April 2026 to 31 March 2027."""
    start, _end = financial_year(day)
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def quarters(fy_start: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The four TDS quarters of the financial year starting `fy_start`: (Q1, 1 Apr, 1 Jul) …"""
    edges = [dt.date(fy_start.year, m, 1) for m in (4, 7, 10)] + [
        dt.date(fy_start.year + 1, m, 1) for m in (1, 4)
    ]
    return [(f"Q{i + 1}", edges[i], edges[i + 1]) for i in range(4)]


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _below_thousand(n: int) -> str:
    words = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(_ONES[n])
    return " ".join(words)


def _indian_words(n: int) -> str:
    """Whole numbers in the Indian system: thousand, lakh (10^5), crore (10^7); crores of
    crores are said as '… crore crore', as Indian cheques write them."""
    if n < 1000:
        return _below_thousand(n)
    parts = []
    crore, n = divmod(n, 10_000_000)
    if crore:
        parts.append(f"{_indian_words(crore)} crore")
    lakh, n = divmod(n, 100_000)
    if lakh:
        parts.append(f"{_below_thousand(lakh)} lakh")
    thousand, n = divmod(n, 1000)
    if thousand:
        parts.append(f"{_below_thousand(thousand)} thousand")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def amount_in_words(amount: Decimal, currency: str = "INR") -> str:
    """'Rupees one lakh fifty thousand and paise twenty-five only' for ₹1,50,000.25 (INR);
    other currencies as '<CODE> … and cents …'."""
    amount = Decimal(amount)
    sign = "minus " if amount < 0 else ""
    whole, fraction = divmod(abs(amount).quantize(Decimal("0.01")) * 100, 100)
    major, minor = ("Rupees", "paise") if currency == "INR" else (currency, "cents")
    if whole == 0 and fraction:  # 'Paise fifty only', not 'Rupees zero and paise fifty'
        return f"{minor.capitalize()} {sign}{_below_thousand(int(fraction))} only"
    text = f"{major} {sign}{_indian_words(int(whole))}"
    if fraction:
        text += f" and {minor} {_below_thousand(int(fraction))}"
    return text + " only"
