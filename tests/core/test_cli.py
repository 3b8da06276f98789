"""The `caresignals` command on a machine where nothing is configured yet.

Run as a newcomer would: a separate process with an empty environment (no secret key, no
settings module), so what is printed is exactly what a person sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The product's own commands: each must describe itself with nothing set.
COMMANDS = [
    ["demo"],
    ["serve"],
    ["import"],
    ["export"],
    ["signals"],
    ["measures"],
    ["measures", "spc"],
    ["report"],
    ["speakup"],
    ["token"],
    ["analytics"],
    ["backup"],
    ["restore"],
    ["worker"],
    ["migrate"],
]


def _bare_env() -> dict[str, str]:
    """Only what a shell on a fresh machine has, plus the path to this checkout's code."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}


def _caresignals(*args: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from caresignals.cli import main; main()", *args],
        env=_bare_env(),
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_products_commands_with_nothing_configured():
    result = _caresignals("--help")
    assert result.returncode == 0, result.stderr
    for name in ("demo", "import", "export", "signals", "report", "serve"):
        assert name in result.stdout
    assert "not properly configured" not in result.stdout
    assert "Traceback" not in result.stderr


def test_every_command_explains_itself_with_nothing_configured():
    """Each command's --help, in one process (one Django start-up) to keep the suite quick."""
    driver = (
        "import sys\n"
        "from caresignals.cli import main\n"
        f"for command in {COMMANDS!r}:\n"
        "    try:\n"
        "        main([*command, '--help'])\n"
        "    except SystemExit as done:\n"
        "        print(f'EXIT {\" \".join(command)}: {done.code or 0}', flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", driver],
        env=_bare_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    for command in COMMANDS:
        name = " ".join(command)
        assert f"EXIT {name}: 0" in result.stdout
        assert f"usage: caresignals {command[0]}" in result.stdout


def test_a_missing_secret_key_is_one_sentence_not_a_traceback():
    result = _caresignals("signals")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "set CARESIGNALS_SECRET_KEY" in lines[0]
    assert "CARESIGNALS_DEMO=1" in lines[0]


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`caresignals … | head`: the pipe closes before the command has written everything."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader has already gone
    try:
        result = _caresignals("help", "export", stdout=writer)
    finally:
        os.close(writer)
    assert result.returncode == 0
    assert "BrokenPipeError" not in result.stderr
    assert result.stderr == ""
