from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The HTTP API (`/api/v1/`): token-authenticated staff endpoints and public reporting."""

    name = "caresignals.api"
    label = "api"

    def ready(self) -> None:
        from caresignals.api.tokens import revoke_tokens_of_leaver
        from caresignals.organisations.people import person_deactivated

        # A leaver's tokens end with their account, in the deactivation's transaction.
        person_deactivated.connect(revoke_tokens_of_leaver, dispatch_uid="api.revoke_tokens")
