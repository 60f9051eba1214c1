"""imap (issue 18)."""
