"""replies (issue 18)."""
