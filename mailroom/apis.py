"""apis (issue 18)."""
