"""Which importer reads which KIND of file. Each domain app registers its own in its
AppConfig.ready(), so the import framework (below the domains, ADR 16) never imports them.

Everything is named by dotted path and imported only when that kind is imported, so that
starting the application loads no importer.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from caresignals.audit.services import Actor
from caresignals.interop.importing import Importer, ImportReport, run_import

# kind -> "module.Class" of its Importer
IMPORTERS: dict[str, str] = {}
# kind -> "module.function" run instead of run_import (FHIR: JSON Lines, converted first)
RUNNERS: dict[str, str] = {}
# kind -> "module.function(path, actor) -> summary" reading reviewed definition files (TOML:
# a directory of them, or one) rather than CSV; raises ValueError or OSError
DEFINITIONS: dict[str, str] = {}


def register(kind: str, importer: str, *, run: str = "", definitions: str = "") -> None:
    IMPORTERS[kind] = importer
    if run:
        RUNNERS[kind] = run
    if definitions:
        DEFINITIONS[kind] = definitions


def _named(dotted: str) -> Any:
    module_name, _, name = dotted.rpartition(".")
    return getattr(import_module(module_name), name)


def importer_class(kind: str) -> type[Importer]:
    cls: type[Importer] = _named(IMPORTERS[kind])
    return cls


def runner(kind: str) -> Callable[..., ImportReport]:
    run: Callable[..., ImportReport] = _named(RUNNERS[kind]) if kind in RUNNERS else run_import
    return run


def definitions_loader(kind: str) -> Callable[[Path, Actor], str] | None:
    return _named(DEFINITIONS[kind]) if kind in DEFINITIONS else None
