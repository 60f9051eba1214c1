"""demo (issue 18)."""
