from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    """What an ICB quality team works from every day beyond providers' own data: soft
    intelligence, national patient safety alerts and the System Quality Group's logs (ADR 31).
    """

    name = "caresignals.intelligence"
    label = "intelligence"
