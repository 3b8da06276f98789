"""The signals domain's tables."""
