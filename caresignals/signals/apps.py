from django.apps import AppConfig


class SignalsConfig(AppConfig):
    """Reading the signals: early-warning signals, the watchlist, closed-culture risk, escalation
    and the quality risk register.
    """

    name = "caresignals.signals"
    label = "signals"
