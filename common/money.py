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
