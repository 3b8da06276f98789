"""The `caresignals` command: Django's management commands under the product's name.

Exit status: 0 on success, 1 when the input is wrong, 2 for a usage error.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["caresignals", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
