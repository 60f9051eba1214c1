"""threading (issue 18): see the module's functions."""
