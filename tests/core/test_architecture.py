"""Rules that keep the code easy to live in, checked rather than hoped for (see README.md, "How the code is laid out")."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

PACKAGE = Path(__file__).resolve().parents[2] / "caresignals"

# Pages anyone may open without signing in. Adding one is a decision: say why in review.
PUBLIC_VIEWS = {"about", "accessibility", "healthz", "SignInView", "index", "definition"}
# The HTTP API signs no one in: its staff endpoints check a bearer token themselves (401
# without one), the public ones are rate-limited, and the schema and docs are public.
PUBLIC_VIEWS |= {
    "api_root",
    "api_openapi_json",
    "api_openapi_view",
    "api_events",
    "api_event",
    "api_public_events",
}
# Patients, families and carers report a safety concern without an account (rate-limited).
PUBLIC_VIEWS |= {"report_a_concern"}
# Staff raise a speak-up concern anonymously and read replies with their access code.
PUBLIC_VIEWS |= {
    "raise_anonymously",
    "reporter_case",
    "api_public_speakup",
    "api_public_speakup_case",
    "api_public_speakup_messages",
    # The same two with the reference in a header, not the URL (so no log can keep it).
    "api_public_speakup_reporter_case",
    "api_public_speakup_reporter_messages",
}
# Patients, families and carers give feedback or complain, and read published stories.
PUBLIC_VIEWS |= {
    "feedback_start",
    "feedback_give",
    "feedback_easy_read",
    "provider_stories",
    "api_public_feedback",
}
PUBLIC_VIEWS |= {"api_signals"}  # the watchlist API checks its bearer token itself
# A person added by an administrator sets their password from a one-use link (ADR 19).
PUBLIC_VIEWS |= {"SetPasswordView", "set_password_done"}
# `/`: the public start page for anyone not signed in; a person signed in gets their role's
# home page, after their second factor (the view asks, as the middleware passes it by).
PUBLIC_VIEWS |= {"home"}
# Signing in with the organisation's identity provider starts and ends before anyone is.
PUBLIC_VIEWS |= {"IdentityProviderStart", "IdentityProviderCallback"}
# Open data (ADR 29): published releases, their downloads and the read-only public API.
PUBLIC_VIEWS |= {
    "open_data_index",
    "open_data_release",
    "open_data_download",
    "open_data_dictionary",
    "open_data_dictionary_csv",
    "open_data_release_dictionary_csv",
    "open_data_about",
    "api_open_data_releases",
    "api_open_data_release",
    "api_open_data_table",
}


def _view_modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.name == "views.py"
        or p.name.startswith("views_")  # views_audit.py, views_public.py, ...
        or "views" in p.parent.name.split("/")
    )


def test_views_never_query_models_directly():
    """Reads go through queries/presenters (which apply scoping); writes through services."""
    offenders = []
    for path in _view_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} uses .{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "django.shortcuts":
                for alias in node.names:
                    if alias.name in {"get_object_or_404", "get_list_or_404"}:
                        offenders.append(
                            f"{path.relative_to(PACKAGE)}:{node.lineno} imports {alias.name}"
                        )
    assert not offenders, "views must use scoped queries:\n" + "\n".join(offenders)


def test_stats_imports_nothing_else_from_the_project():
    for path in (PACKAGE / "stats").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("django"), f"{path.name} imports {name}"
                if name.startswith("caresignals"):
                    assert name.startswith("caresignals.stats"), f"{path.name} imports {name}"


def _patterns(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_login_is_required_by_default():
    public = set()
    for _route, callback in _patterns(get_resolver()):
        if getattr(callback, "login_required", True) is False:
            name = getattr(callback, "view_class", callback).__name__
            public.add(name)
    assert public == PUBLIC_VIEWS


# Imports inside functions that cross apps, each with the reason it cannot be at the top.
# Empty: keep it so.
CROSSING_INSIDE_FUNCTIONS_ALLOWED: set[tuple[str, str]] = set()


def _app_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "(root)"


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    return []


def test_no_import_inside_a_function_crosses_apps():
    """An import hidden in a function is how a cycle between apps hides (ADR 16): imports
    across apps go at the top of the module, where import-linter sees them. The one place
    Django needs them in a function is AppConfig.ready(), where apps connect to the signals
    and registries of the layers below them."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        app = _app_of(path)
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and func.name == "ready":
                continue
            for node in ast.walk(func):
                for name in _imported_modules(node):
                    if not name.startswith("caresignals."):
                        continue
                    target = name.split(".")[1]
                    rel = path.relative_to(PACKAGE).as_posix()
                    if target == app or (rel, name) in CROSSING_INSIDE_FUNCTIONS_ALLOWED:
                        continue
                    offenders.append(f"{rel}:{node.lineno} imports {name} inside {func.name}()")
    assert not offenders, "move these imports to the top of the module:\n" + "\n".join(
        sorted(set(offenders))
    )


def _lint_imports() -> str:
    found = Path(sys.executable).with_name("lint-imports")
    return str(found) if found.exists() else (shutil.which("lint-imports") or "lint-imports")


def test_the_layer_contract_fails_on_an_import_upwards(tmp_path):
    """The contracts in .importlinter bite: a copy of the package with core importing signals
    (a lower layer importing a higher one) breaks the layers contract, named in the output."""
    copy = tmp_path / "caresignals"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=lambda d, names: [
            n for n in names if not n.endswith(".py") and not Path(d, n).is_dir()
        ],
    )
    (copy / "core" / "upwards.py").write_text("from caresignals.signals import models  # noqa\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [_lint_imports(), "--config", str(PACKAGE.parent / ".importlinter"), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Layers: a lower layer never imports a higher one BROKEN" in output
    assert "caresignals.core is not allowed to import caresignals.signals" in output
    assert "caresignals.core.upwards -> caresignals.signals.models" in output
