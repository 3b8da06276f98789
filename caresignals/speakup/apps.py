from django.apps import AppConfig


class SpeakupConfig(AppConfig):
    """Freedom to Speak Up: staff raise concerns openly, confidentially or anonymously, and
    guardians answer them.
    """

    name = "caresignals.speakup"
    label = "speakup"
