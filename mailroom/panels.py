"""panels (issue 18)."""
