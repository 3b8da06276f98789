"""The reference outputs of the R packages the statistics library follows (see README.md here).

One loader for every test module: the files live beside this module, in the repository, so a
fresh clone runs them with nothing else supplied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FOLDER = Path(__file__).resolve().parent

#: Numbers agree to this relative tolerance; labels must match exactly.
RTOL = 1e-9


def path(filename: str) -> Path:
    return FOLDER / filename


def load(filename: str) -> list[dict[str, Any]]:
    """Every case in one file; a missing file is an error, never a silent skip."""
    cases: list[dict[str, Any]] = json.loads(path(filename).read_text(encoding="utf-8"))
    return cases


def params(filename: str, *functions: str) -> list[Any]:
    """The cases of the named R functions (with or without the `package::` prefix), as params."""
    return [
        pytest.param(case, id=case["name"])
        for case in load(filename)
        if not functions or case["function"].split("::")[-1] in functions
    ]
