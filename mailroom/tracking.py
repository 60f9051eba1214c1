"""tracking (issue 18)."""
