"""The deployment guide (docs/deployment.md) against the code: its production settings pass
Django's `check --deploy` with no warning, and it names every environment variable the settings
read, so neither can drift from the other."""

from __future__ import annotations

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deployment.md"
SETTINGS = ROOT / "caresignals" / "settings.py"
# The guide's production environment file is the block that follows this marker.
PRODUCTION_BLOCK = re.compile(r"<!-- production-environment -->\s*```[a-z]*\n(.*?)```", re.S)


def _variables_read_by_settings() -> set[str]:
    """Every literal name passed to os.environ.get, os.environ[...] or _flag in settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv", "_flag", "os.environ.setdefault"}:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def _documented_production_environment() -> dict[str, str]:
    match = PRODUCTION_BLOCK.search(GUIDE.read_text())
    assert match, "docs/deployment.md has no <!-- production-environment --> block"
    env = {}
    for line in match.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def test_the_guide_names_every_environment_variable_the_settings_read():
    read = _variables_read_by_settings()
    assert {"DATABASE_URL", "CARESIGNALS_SECRET_KEY", "CARESIGNALS_HSTS_SECONDS"} <= read
    guide = GUIDE.read_text()
    missing = sorted(name for name in read if f"`{name}`" not in guide)
    assert not missing, f"docs/deployment.md does not name {missing}"


def test_the_readme_points_at_the_guide():
    assert "(docs/deployment.md)" in (ROOT / "README.md").read_text()


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path):
    """In a clean process, as a server would start: only the guide's environment file."""
    env = _documented_production_environment()
    assert env["CARESIGNALS_SECRET_KEY"], "the guide must show the secret key being set"
    env |= {
        # The guide's placeholder stands for a key the operator makes; make one.
        "CARESIGNALS_SECRET_KEY": secrets.token_urlsafe(50),
        # Where settings create their folders: not the guide's /var/lib on the test machine.
        "CARESIGNALS_VAR_DIR": str(tmp_path),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from caresignals.cli import main; main()",
            "check",
            "--deploy",
            "--fail-level",
            "DEBUG",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
