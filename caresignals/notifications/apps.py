from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caresignals.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Capture apps announce what happened; notifications decides who is told (ADR 16, 21).
        from caresignals.notifications import receivers
        from caresignals.safety import hooks as safety_hooks
        from caresignals.speakup import hooks as speakup_hooks

        safety_hooks.event_stored.connect(
            receivers.event_stored, dispatch_uid="notifications.event_stored"
        )
        speakup_hooks.reporter_replied.connect(
            receivers.reporter_replied, dispatch_uid="notifications.reporter_replied"
        )
