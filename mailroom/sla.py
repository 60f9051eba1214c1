"""sla (issue 18)."""
