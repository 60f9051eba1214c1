"""Firms' specialities were free text; from now on they are picked from the list agents pick
theirs from (agents.models.speciality_choices). This spells the existing ones the list's way.

Each request's and line's speciality is matched within its own skill domain, ignoring case,
surrounding spaces and repeated inner spaces or hyphens ("Claims ", "Policy-Servicing" ->
"claims", "policy servicing"). A value that matches nothing is kept as it was, not blanked:
blank means "the domain in general" and would send the firm's calls to agents it did not
ask for, and a guess at a typo could pick the wrong specialists. Kept values match nobody,
as before; the firm's pages flag them (`speciality_unknown`) and the line's form asks for a
choice from the list. Not reversible in content (the old spellings are not kept), so the
reverse is a no-op.
"""

import re

from django.db import migrations

# The list as it stands at this migration (agents.models.AgentSkill.SUB_SKILLS), frozen here
# so that a later change of the list does not change what this migration did.
SUB_SKILLS = {
    "insurance": ["claims", "policy servicing", "sales", "renewals"],
    "banking": ["cards", "loans", "accounts", "collections"],
    "telecom": ["billing", "technical support", "number porting", "sales"],
    "retail": ["orders", "returns", "loyalty", "product advice"],
}


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", " ", text).strip().casefold()


def _canonical(domain: str, text: str) -> str:
    by_key = {_key(skill): skill for skill in SUB_SKILLS.get(domain, [])}
    return by_key.get(_key(text), text)


def respell(apps, schema_editor):
    for name in ("StaffingRequest", "PhoneLine"):
        model = apps.get_model("clients", name)
        for row in model.objects.exclude(sub_skill="").only("pk", "domain", "sub_skill"):
            spelled = _canonical(row.domain, row.sub_skill)
            if spelled != row.sub_skill:
                model.objects.filter(pk=row.pk).update(sub_skill=spelled)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0009_request_figures_bounded"),
    ]

    operations = [migrations.RunPython(respell, migrations.RunPython.noop)]
