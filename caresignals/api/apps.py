from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The HTTP API (`/api/v1/`): token-authenticated staff endpoints and public reporting."""

    name = "caresignals.api"
    label = "api"
