from django.apps import AppConfig


class LearningConfig(AppConfig):
    """The shared learning library: de-identified, approved learning summaries that every
    organisation in the system can search and reuse (ADR 28)."""

    name = "caresignals.learning"
    label = "learning"

    def ready(self) -> None:
        from caresignals.learning import similar
        from caresignals.safety import hooks

        # Safety sits below learning (ADR 16): its response and action forms ask this
        # registry for similar learning from elsewhere, which the library fills in here.
        if similar.for_safety_form not in hooks.similar_learning:
            hooks.similar_learning.append(similar.for_safety_form)
        if similar.response_links not in hooks.response_links:
            hooks.response_links.append(similar.response_links)
