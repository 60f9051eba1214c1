"""Money: Decimal only, quantised to the currency's minor unit with ROUND_HALF_UP, per line."""

from decimal import ROUND_HALF_UP, Decimal

# Minor units per ISO 4217; every currency we bill in has two decimals today.
MINOR_UNITS = {"INR": 2, "USD": 2, "EUR": 2, "GBP": 2}


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round one line's amount to the currency's minor unit (half up, as invoices do)."""
    if isinstance(amount, float):
        raise TypeError("Money must be Decimal, never float.")
    exponent = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


# One rule for showing money, everywhere (pages, PDFs, CSV/XLSX cells and headers): the en_IN
# locale's Indian digit grouping through Babel (₹1,50,000.00 — lakhs and crores, which
# Python's own "{:,}" gets wrong), the rupee sign for INR and the ISO code for anything else
# ("USD 1,50,000.00": "$" alone is ambiguous to a reader in India).
MONEY_LOCALE = "en_IN"
_OTHER_CURRENCY_FORMAT = "¤¤\u00a0#,##,##0.00"  # ¤¤ is the ISO code in CLDR patterns


def format_money(amount: Decimal | int | str | None, currency: str = "INR") -> str:
    """'₹1,50,000.00' for INR, 'USD 1,50,000.00' otherwise; '—' for no amount."""
    from babel.numbers import format_currency  # Babel loads its locale data on first use

    if amount is None or amount == "":
        return "—"
    value = quantize(amount, currency)
    if currency == "INR":
        return format_currency(value, "INR", locale=MONEY_LOCALE)
    return format_currency(value, currency, format=_OTHER_CURRENCY_FORMAT, locale=MONEY_LOCALE)


def money_header(label: str, currency: str = "INR") -> str:
    """A CSV/XLSX column header for amounts in `currency`: 'Net (₹)', 'Net (USD)'."""
    return f"{label} (₹)" if currency == "INR" else f"{label} ({currency})"
