"""outbox (issue 18)."""
