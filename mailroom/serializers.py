"""serializers (issue 18)."""
