"""Templates show money only through |money and periods only through |period (issue 15).

A guard over the template sources: an amount printed as it is ("{{ p.net }} {{ p.currency }}",
"{{ total|floatformat:2 }}") or a period printed as two dates ("{{ run.period_start|date }} –
{{ run.period_end|date }}", the exclusive end shown as if it were the last day) fails here,
before any page is rendered. Counts that happen to be called "total" (calls today, matching
agents) are only money in billing's templates, so `total` and `amount` are checked there.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Fields that hold money wherever they are (models' and rate cards' names).
MONEY_EVERYWHERE = {
    "agent_amount",
    "client_amount",
    "gross",
    "tds",
    "net",
    "fee",
    "overage_per_call",
    "rate",
    "agent_rate",
    "client_rate",
    "minimum_per_call",
    "agent_minimum_per_call",
    "agent_minimum",
    "margin",
}
MONEY_IN_BILLING = {"amount", "total"}
VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*((?:\|[^}]*)?)\}\}")
AMOUNT_THEN_CODE = re.compile(r"\}\}\s*\{\{\s*[\w.]*currency\s*\}\}")
PERIOD_AS_DATES = re.compile(r"period_(start|end)\s*\|\s*date")


def _sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(TEMPLATES)), path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES.rglob("*.html"))
    ]


def unfiltered_money(name: str, source: str) -> list[str]:
    money = MONEY_EVERYWHERE | (MONEY_IN_BILLING if name.startswith("billing/") else set())
    found = []
    for match in VARIABLE.finditer(source):
        variable, filters = match.groups()
        if variable.rsplit(".", 1)[-1] in money and not filters.startswith("|money"):
            found.append(f"{name}: {match.group(0)}")
    return found


def test_no_template_prints_an_amount_without_the_money_filter():
    found = [hit for name, source in _sources() for hit in unfiltered_money(name, source)]
    assert not found, "Show these through |money:currency:\n" + "\n".join(found)


def test_no_template_writes_a_currency_code_after_an_amount():
    found = [
        f"{name}: {match.group(0)}"
        for name, source in _sources()
        for match in AMOUNT_THEN_CODE.finditer(source)
    ]
    assert not found, "The currency goes in |money:currency, not after the amount:\n" + "\n".join(
        found
    )


def test_no_template_shows_a_period_as_two_dates():
    found = [
        f"{name}: {match.group(0)}"
        for name, source in _sources()
        for match in PERIOD_AS_DATES.finditer(source)
    ]
    found += [name for name, source in _sources() if "end date not included" in source]
    assert not found, "Show periods as {{ start|period:end }}:\n" + "\n".join(found)


def test_the_guard_catches_the_old_ways():
    old = "{{ p.gross }} {{ p.currency }} {{ open.amount|floatformat:2 }} {{ e.agent_rate }}"
    assert len(unfiltered_money("billing/agent/x.html", old)) == 3
    assert AMOUNT_THEN_CODE.search(old)
    assert PERIOD_AS_DATES.search('{{ run.period_start|date:"d M Y" }}')
    good = "{{ p.gross|money:p.currency }} {{ t.amount|money:t.currency }}"
    assert not unfiltered_money("billing/agent/x.html", good) and not AMOUNT_THEN_CODE.search(good)
    assert not unfiltered_money("routing/client/calls.html", "{{ today.total }}")  # a count
