from decimal import Decimal

from django.conf import settings

from common.money import quantize


def agent_share(amount: Decimal, currency: str) -> Decimal:
    """What the agent earns of `amount` the firm pays: all but the agency's commission."""
    commission = Decimal(settings.AGENCY_COMMISSION_PERCENT)
    return quantize(amount * (Decimal(100) - commission) / Decimal(100), currency)
