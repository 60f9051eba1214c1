"""public_views (issue 18)."""
