"""selectors (issue 18)."""
