"""webhooks (issue 18)."""
