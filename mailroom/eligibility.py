"""eligibility (issue 18)."""
