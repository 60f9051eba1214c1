"""Panels that apps above `agents` add to the agent's home page, without a back-import.

An app registers a function at startup (in its AppConfig.ready); the home view calls each
with the request and the agent. A function returns None (nothing to show) or a dict with
`title`, `template` and `context`.
"""

from collections.abc import Callable

from django.http import HttpRequest

from agents.models import AgentProfile

Panel = dict
_PANELS: list[Callable[[HttpRequest, AgentProfile], Panel | None]] = []


def home_panel(function: Callable[[HttpRequest, AgentProfile], Panel | None]):
    """Decorator: add `function` to the agent's home page (idempotent)."""
    if function not in _PANELS:
        _PANELS.append(function)
    return function


def home_panels(request: HttpRequest, agent: AgentProfile) -> list[Panel]:
    return [panel for function in _PANELS if (panel := function(request, agent))]
