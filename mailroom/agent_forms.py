"""agent_forms (issue 18)."""
