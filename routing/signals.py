"""Signals routing sends for the apps above it (billing), so routing never imports them."""

from django.dispatch import Signal

# Sent on commit when an answered call ends; kwargs: call (routing.models.Call).
call_completed = Signal()
