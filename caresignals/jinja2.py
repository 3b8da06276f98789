"""The Jinja2 environment: our templates first, then the NHS.UK design system's macros."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from caresignals.core import chrome, formatting
from caresignals.notifications import following


def environment(**options: Any) -> Environment:
    base_loader = options.pop("loader", None)
    # ChainableUndefined is what the design-system macros expect for optional parameters.
    options["undefined"] = ChainableUndefined
    options.setdefault("autoescape", True)
    loaders = [base_loader] if base_loader is not None else []
    loaders.append(PackageLoader("nhsuk_frontend_jinja"))
    env = Environment(loader=ChoiceLoader(loaders), **options)  # noqa: S701 - autoescape set above
    env.globals.update(
        {
            "static": static,
            "url": lambda name, *args, **kwargs: reverse(
                name, args=args or None, kwargs=kwargs or None
            ),
            "get_messages": get_messages,
            "chrome_header": lambda *args: chrome.header(*args),
            "chrome_footer": lambda: chrome.footer(),
            "may_follow": following.may_follow,
            "follows": following.follows,
        }
    )
    env.filters.update(
        {
            "number": formatting.number,
            "percent": formatting.percent,
            "nhs_date": formatting.nhs_date,
        }
    )
    return env
