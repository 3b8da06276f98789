"""The speakup domain's tables."""
