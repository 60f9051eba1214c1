"""Compiled ORM SQL with named placeholders: the SQL form of a rule written once as a queryset.

A hot path that runs raw SQL (routing's ranking) still takes its rules from querysets: the
queryset is built once with a sentinel for each argument and compiled; each sentinel, found
again among the compiled parameters, becomes a `%(name)s` placeholder, and every other
parameter (the rule's own constants: statuses, True) stays a parameter of its own. Used by
`agents.selectors.agents_available_sql` and `clients.selectors.engagement_covering_sql`.
"""

import re

_PLACEHOLDER = re.compile(r"%%|%s")


def named_placeholders(
    sql: str, compiled: tuple | list, sentinels: dict[str, object], *, prefix: str
) -> tuple[str, dict]:
    """(`sql` with `%(name)s` placeholders, the constants it needs, named `<prefix>_<n>`).

    `sentinels` maps each argument's name to its sentinel *as compiled* (a date reaches
    SQLite's parameters as its ISO string: values are compared as strings). Raises when a
    sentinel fell out of the SQL (the compiler simplified a condition away).
    """
    names = {str(value): name for name, value in sentinels.items()}
    params = iter(compiled)
    constants: dict[str, object] = {}

    def placeholder(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        value = next(params)
        name = names.get(str(value))
        if name is None:
            name = f"{prefix}_{len(constants)}"
            constants[name] = value
        return f"%({name})s"

    sql = _PLACEHOLDER.sub(placeholder, sql)
    missing = [name for name in names.values() if f"%({name})s" not in sql]
    if missing:
        raise RuntimeError(f"{prefix}: {missing} fell out of the compiled SQL")
    return sql, constants
