"""staff_views (issue 18)."""
