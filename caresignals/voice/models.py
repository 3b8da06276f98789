"""The voice domain's tables."""
