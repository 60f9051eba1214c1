"""agent_views (issue 18)."""
