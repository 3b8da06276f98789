"""Form fields every app's forms share: the NHS date input (day, month and year boxes), and
radios and text boxes whose every error says what to do in the form's own words.

One implementation, so every date a person types is checked the same way and the error
messages read the same on every form ("Enter the date it happened", "... must be a real date").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from caresignals.core import clock

__all__ = ["DateParts", "YearBeyond", "date_from_parts", "radios", "text"]


class YearBeyond(ValueError):
    """A year after 9999: no date holds it."""


def date_from_parts(day: str, month: str, year: str) -> dt.date:
    """The date a person typed as day, month and year; ValueError if it is not a real one.

    The one place a date is built from parts a person typed: each part must be a whole number
    (digits only: no sign, spaces or underscores), and a year of more than four digits raises
    `YearBeyond` without being converted, so that no year makes the date library overflow.
    """
    if not all(part.isdecimal() for part in (day, month, year)):
        raise ValueError("not a whole number")
    if len(year.lstrip("0")) > 4:
        raise YearBeyond(year)
    if len(day) > 4 or len(month) > 4:
        raise ValueError("not a real day or month")
    return dt.date(int(year), int(month), int(day))


class DateParts(forms.MultiValueField):
    """A date typed as day, month and year boxes (the NHS date input).

    By default a date in the past (or today) from 1900 on, as when something happened. A
    subclass or keyword allows the future (``future``: due, review and agreed dates) and
    narrows the years (``years``), with its own words for a year outside them
    (``out_of_years``, after "<what> ").
    """

    future: bool = False
    years: tuple[int, int] = (1900, 9999)
    out_of_years: str = "must be after 1900"

    def __init__(
        self,
        what: str,
        *,
        future: bool | None = None,
        years: tuple[int, int] | None = None,
        out_of_years: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.what = what
        if future is not None:
            self.future = future
        if years is not None:
            self.years = years
        if out_of_years is not None:
            self.out_of_years = out_of_years
        parts = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        widget = forms.MultiWidget(
            widgets={"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}
        )
        super().__init__(
            fields=parts,
            widget=widget,
            require_all_fields=False,
            error_messages={"required": f"Enter {what}", "incomplete": f"Enter {what}"},
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(data_list):
            return None
        what = self.what.capitalize()
        day, month, year = (v.strip() for v in data_list)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{what} must include a {missing[0]}")
        try:
            value = date_from_parts(day, month, year)
        except YearBeyond:
            # Out of any range a form allows: later than "today", or outside its years.
            if not self.future:
                raise forms.ValidationError(f"{what} must be today or in the past") from None
            raise forms.ValidationError(f"{what} {self.out_of_years}") from None
        except ValueError:
            raise forms.ValidationError(f"{what} must be a real date") from None
        if not self.future and value > clock.today():
            raise forms.ValidationError(f"{what} must be today or in the past")
        first, last = self.years
        if not first <= value.year <= last:
            raise forms.ValidationError(f"{what} {self.out_of_years}")
        return value


def radios(choices: Any, message: str, **kwargs: Any) -> forms.ChoiceField:
    """Radios where nothing chosen and a value not offered both get `message`."""
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def text(message: str, max_length: int = 5000, **kwargs: Any) -> forms.CharField:
    """A text box: `message` when empty, the limit in words when too long."""
    return forms.CharField(
        max_length=max_length,
        strip=True,
        error_messages={
            "required": message,
            "max_length": f"Enter no more than {max_length:,} characters",
        },
        **kwargs,
    )
