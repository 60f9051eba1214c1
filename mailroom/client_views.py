"""client_views (issue 18)."""
