"""Issue 13: the Content-Security-Policy runs no inline script and applies no inline style, so
no template may hold one: an inline <script> (one without src; JSON data blocks excepted), an
event-handler attribute (onclick=, onchange=…), a javascript: URL, a <style> block or a
style= attribute. Scripts go to static/js/, styles to static/css/homeshore.css."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

RULES = {
    "inline <script>": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json[\"'])[^>]*>", re.I
    ),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
}


COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)


def offences(text: str) -> list[str]:
    code = COMMENTS.sub("", text)  # a template comment never reaches the browser
    return [name for name, rule in RULES.items() if rule.search(code)]


def test_no_template_holds_inline_script_handlers_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}: {', '.join(names)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (names := offences(path.read_text(encoding="utf-8")))
    ]
    assert not found, "Move these to static/js or static/css:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet,names",
    [
        ("<script>alert(1)</script>", ["inline <script>"]),
        ("<SCRIPT type='module'>x()</SCRIPT>", ["inline <script>"]),
        ('<button onclick="go()">', ["event handler attribute"]),
        ('<select\n  onchange="this.form.submit()">', ["event handler attribute"]),
        ('<a href="javascript:void(0)">', ["javascript: URL"]),
        ("<style>p{}</style>", ["<style> block"]),
        ('<p style="color: red">', ["style= attribute"]),
        ('<script src="/static/js/x.js" defer></script>', []),
        ('<script id="d" type="application/json">{}</script>', []),
        ('<button data-print class="outline">', []),
        ('<input name="online" data-confirm="once">', []),
        ("{# an inline <style> would be refused #}<p>", []),
    ],
)
def test_the_scan_tells_inline_code_from_files(snippet, names):
    assert offences(snippet) == names
