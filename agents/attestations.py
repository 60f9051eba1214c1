"""The compliance attestations an agent accepts. Raise a version to ask everyone again."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Attestation:
    kind: str
    version: int
    title: str
    text: str


ATTESTATIONS = [
    Attestation(
        "infosec_policy",
        1,
        "Information-security policy",
        "I have read and will follow the Homeshore information-security policy.",
    ),
    Attestation(
        "confidentiality",
        1,
        "Confidentiality agreement",
        "I will keep everything I learn about clients and their customers confidential.",
    ),
    Attestation(
        "private_workspace",
        1,
        "Quiet, private workspace",
        "I take calls in a quiet, private room where no one else can hear or see them.",
    ),
    Attestation(
        "no_recording",
        1,
        "No recording devices",
        "I will not record calls or screens, and keep no recording devices at my desk.",
    ),
    Attestation(
        "no_written_data",
        1,
        "No customer data written down",
        "I will not write down or copy customer data, on paper or elsewhere.",
    ),
]

CURRENT = {a.kind: a for a in ATTESTATIONS}
