"""Campaign mail's subject and body templates (issue 18): the contact's fields put into the
firm's text with `str.format_map`, safely.

A template names fields as `{name}`, `{first_name}`, `{email}` or one of the contact's own
columns (`{policy_no}`); `{{` and `}}` are literal braces. Only plain names: `{x.y}` and
`{x[0]}` would reach into Python objects' attributes and items, so a template holding them
(or a conversion `!r`, or a format spec `:>10`) is refused when it is saved, with the reason
(`template_problems`). A name the contact does not have stays in the mail as written, braces
and all, so a typo shows in the preview and the test send rather than as a blank.

The HTML alternative is the text escaped, its links made clickable and its lines kept
(`html_alternative`). Not Markdown (clients.scripts renders agents' scripts that way): here the
contact's own values are put into the text, and Markdown would read a name such as
"[Pay here](https://…)" or "*urgent*" as markup; escaping shows every value exactly as the
firm's file has it, in both parts alike.
"""

import string

from django.utils.html import linebreaks, urlize

BUILT_IN = ("name", "first_name", "email")
_formatter = string.Formatter()


class _Visible(dict):
    """The values, and any other name left as written: `{unknown}`."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template_problems(text: str) -> list[str]:
    """Why `text` cannot be a template ([] when it can): unbalanced braces, or fields that
    are not plain names."""
    try:
        parts = list(_formatter.parse(text or ""))
    except ValueError:
        return ["A { or } has no partner (write {{ or }} for a brace itself)."]
    problems = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if not field.isidentifier():
            shown = field or "(empty)"
            problems.append(f"{{{shown}}} is not a field name: use letters, digits and _ only.")
        elif spec or conversion:
            problems.append(f"{{{field}}} takes no format or conversion (! or :).")
    return problems


def template_fields(text: str) -> list[str]:
    """The field names `text` uses, in order, once each (a checked template)."""
    names = (field for _l, field, _s, _c in _formatter.parse(text or "") if field)
    return list(dict.fromkeys(names))


def contact_values(contact) -> dict[str, str]:
    """What a template may name for `contact` (a clients Contact, or anything with `name`,
    `email` and `fields`): its own columns first, the built-in names over them."""
    name = (contact.name or "").strip()
    values = {str(k): str(v) for k, v in (contact.fields or {}).items() if str(k).isidentifier()}
    values.update(name=name, first_name=name.split()[0] if name else "", email=contact.email)
    return values


def template_render(text: str, values: dict[str, str]) -> str:
    """`text` with `values` put in; a checked template only (see `template_problems`): every
    field a plain name, looked up in the dict and nowhere else."""
    return (text or "").format_map(_Visible(values))


def html_alternative(text: str) -> str:
    """The plain body as HTML: escaped, links clickable, paragraphs and line breaks kept."""
    linked = urlize(text or "", nofollow=True, autoescape=True)  # escapes all but the links
    return f"<!doctype html><html><body>{linebreaks(linked, autoescape=False)}</body></html>"
