"""Start-up checks of the agency's own bank account, debited in every pain.001 file.

A wrong IBAN or BIC in the environment would otherwise show only when the bank rejects the
first payment file; `manage.py check` (and every start of the server) reports it instead.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError

from agents.banking import validate_bic, validate_iban
from common.errors import ApplicationError
from common.taxids import STATES, gstin_clean, pan_clean

AGENCY_NAME_LONGEST = 70  # pain.001.001.03's Max70Text for Dbtr/Nm and InitgPty/Nm
NEFT_LAYOUTS = ("generic", "hdfc")


@checks.register()
def agency_account_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    name = getattr(settings, "AGENCY_NAME", "").strip()
    if not name or len(name) > AGENCY_NAME_LONGEST:
        errors.append(
            checks.Error(
                f"AGENCY_NAME must be 1 to {AGENCY_NAME_LONGEST} characters; it is {len(name)}.",
                hint="Set AGENCY_NAME to the account holder's name as the bank holds it.",
                id="billing.E001",
            )
        )
    for setting, validate, check_id in (
        ("AGENCY_IBAN", validate_iban, "billing.E002"),
        ("AGENCY_BIC", validate_bic, "billing.E003"),
    ):
        try:
            validate(getattr(settings, setting, ""))
        except ApplicationError as error:
            errors.append(checks.Error(f"{setting}: {error.message}", id=check_id))
    layout = getattr(settings, "PAYOUT_NEFT_LAYOUT", "generic")
    if layout not in NEFT_LAYOUTS:
        errors.append(
            checks.Error(
                f"PAYOUT_NEFT_LAYOUT is {layout!r}; it must be one of {', '.join(NEFT_LAYOUTS)}.",
                id="billing.E004",
            )
        )
    return errors


@checks.register()
def supplier_tax_ids_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The agency's GSTIN, state and PAN as every tax invoice prints them (billing.E005)."""
    problems = []
    state = getattr(settings, "AGENCY_STATE", "")
    if state not in STATES:
        problems.append(f"AGENCY_STATE {state!r} is not a GST state code.")
    try:
        gstin = gstin_clean(getattr(settings, "AGENCY_GSTIN", ""), state=state)
    except ValidationError as error:
        problems.append(f"AGENCY_GSTIN: {error.messages[0]}")
        gstin = ""
    try:
        pan = pan_clean(getattr(settings, "AGENCY_PAN", ""))
        if gstin and gstin[2:12] != pan:
            problems.append("AGENCY_PAN is not the PAN inside AGENCY_GSTIN.")
    except ValidationError as error:
        problems.append(f"AGENCY_PAN: {error.messages[0]}")
    return [checks.Error(problem, id="billing.E005") for problem in problems]
