"""API tokens: only a SHA-256 hash of each token is kept; the token is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    # hex SHA-256 of the token; the token itself is never stored.
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Day precision: enough to spot unused tokens, without a write (or a trail) per request.
    last_used_on = models.DateField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"API token {self.pk} ({self.name or 'unnamed'})"
