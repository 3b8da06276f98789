from django.apps import AppConfig


class VoiceConfig(AppConfig):
    """Patients' and families' feedback, complaints, compliments and the Friends and Family Test:
    heard, answered and acted on ("you said, we did").
    """

    name = "caresignals.voice"
    label = "voice"

    def ready(self) -> None:
        from caresignals.interop.registry import register

        register("feedback", "caresignals.voice.importers.FeedbackImporter")
