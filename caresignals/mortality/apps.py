from django.apps import AppConfig


class MortalityConfig(AppConfig):
    """Learning from deaths: deaths in scope are screened, and those in scope get a
    Structured Judgement Review whose judgement of poor care starts a learning response.
    """

    name = "caresignals.mortality"
    label = "mortality"

    def ready(self) -> None:
        from caresignals.interop.registry import register

        register("deaths", "caresignals.mortality.importers.DeathImporter")
