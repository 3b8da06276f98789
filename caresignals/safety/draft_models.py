"""The table behind saved drafts of events (safety/events/drafts.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EventDraft(models.Model):
    """What a signed-in person has typed so far, page by page, as text.

    Kept so that a draft survives signing out, a closed browser or another device, for
    DRAFT_DAYS; deleted as soon as the event is recorded or the person deletes it. It is
    never read by anyone but its author, and holds nothing once an anonymous event is
    recorded from it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draft_id = models.CharField(max_length=12)
    pages = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        app_label = "safety"
        constraints = [
            models.UniqueConstraint(fields=["user", "draft_id"], name="unique_draft_per_user")
        ]
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"draft {self.draft_id}"
