"""What campaigns hear from the apps below them (routing's call events, agents freed)."""
