"""The official pain.001.001.03 schema (billing/schemas), for tests to validate files with."""

from functools import cache
from pathlib import Path

from lxml import etree

import billing

SCHEMA = Path(billing.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def valid_pain001(body: bytes) -> etree._Element:
    """The parsed document; fails the test with the schema's own messages if it is invalid."""
    document = etree.fromstring(body)
    if not schema().validate(document):
        raise AssertionError("\n".join(str(error) for error in schema().error_log))
    return document
