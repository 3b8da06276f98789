from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic integrated care system used by the demo and the tests."""

    name = "caresignals.demo"
    label = "demo"
