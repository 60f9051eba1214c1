"""Account holders' names as the bank holds them, in Latin letters.

Before, any script was accepted and a name in, say, Devanagari reached the bank's bulk file as
an empty name. A name already in Latin letters is kept (its spaces tidied); any other is
blanked, which flags the account (`AgentProfile.bank_holder_name_missing`): the agent is asked
for it on the bank page and finance sees their payouts left out of the bank files.
"""

import re

from django.db import migrations

# A copy of agents.banking's rule as it stands today: a migration must not change meaning
# when the rule is edited later.
LATIN = re.compile(r"[A-Za-z]+(?:[ .'-]+[A-Za-z]+)*\.?")
SHORTEST, LONGEST = 2, 70
BATCH = 1000


def latin_or_blank(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    return name if SHORTEST <= len(name) <= LONGEST and LATIN.fullmatch(name) else ""


def forwards(apps, schema_editor):
    AgentProfile = apps.get_model("agents", "AgentProfile")
    changed = []
    agents = AgentProfile.objects.exclude(bank_holder_name="").only("pk", "bank_holder_name")
    for agent in agents.iterator(chunk_size=BATCH):
        name = latin_or_blank(agent.bank_holder_name)
        if name != agent.bank_holder_name:
            agent.bank_holder_name = name
            changed.append(agent)
    AgentProfile.objects.bulk_update(changed, ["bank_holder_name"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("agents", "0008_delete_verificationevent")]

    # Backwards keeps the names as they are: a blanked name cannot be recovered.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
