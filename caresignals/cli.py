"""The `caresignals` command: Django's management commands under the product's name.

Exit status: 0 on success, 1 when the input is wrong (or the deployment is not configured),
2 for a usage error. The command line is documented in docs/command-line.md.
"""

from __future__ import annotations

import os
import secrets
import sys

_HELP_WORDS = {"-h", "--help", "help", "--version", "version"}


def _asks_only_for_help(args: list[str]) -> bool:
    return not args or any(a in _HELP_WORDS for a in args)


def _load_settings(args: list[str]) -> None:
    """Load the settings, or say in one sentence what is missing instead of a traceback."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018 (loading the settings module is the point)
    except ImproperlyConfigured as error:
        if not _asks_only_for_help(args) or os.environ.get("CARESIGNALS_SECRET_KEY"):
            print(error, file=sys.stderr)
            sys.exit(1)
        # Help signs nothing and reads no data: a throwaway key lets every command describe
        # itself on a machine where nothing is configured yet.
        os.environ["CARESIGNALS_SECRET_KEY"] = secrets.token_urlsafe(50)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    _load_settings(args)

    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["caresignals", *args])
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`caresignals export events | head`): stop quietly, as other
        # command-line tools do. Any transaction has already rolled back on the way out; what
        # is left is a half-read database cursor, whose clean-up at exit would fail loudly
        # once the connection has closed, so the process ends here without it.
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
