from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The import framework: columns, bulk writes, all-or-nothing runs and the `import` command,
    which each domain app fills in through interop/registry.py."""

    name = "caresignals.interop"
    label = "interop"
