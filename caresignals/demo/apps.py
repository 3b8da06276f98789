from typing import Any

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic integrated care system used by the demo and the tests."""

    name = "caresignals.demo"
    label = "demo"

    def ready(self) -> None:
        from caresignals.core.hooks import demo_sign_in_context

        if _sign_in_context not in demo_sign_in_context:
            demo_sign_in_context.append(_sign_in_context)


def _sign_in_context() -> dict[str, Any]:
    """The demo's people, listed on the sign-in page when the data are synthetic."""
    from caresignals.demo.starter import DEMO_PASSWORD, demo_sign_ins

    return {"demo_users": demo_sign_ins(), "demo_password": DEMO_PASSWORD}
