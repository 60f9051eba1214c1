"""services (issue 18)."""
