"""client_forms (issue 18)."""
