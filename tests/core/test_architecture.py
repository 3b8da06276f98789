"""Rules that keep the code easy to live in, checked rather than hoped for (see README.md, "How the code is laid out")."""

from __future__ import annotations

import ast
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


def _view_modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.name == "views.py" or "views" in p.parent.name.split("/")
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
