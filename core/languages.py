"""The service's languages as model and form choices.

``language_choices`` is passed as ``choices=`` to every language field: a callable, so a
migration names the function rather than copying the list, and adding a language to
``settings.LANGUAGES`` needs no migration (docs/operations.md, "Languages").
"""

from django.conf import settings
from django.utils.html import format_html


def language_choices():
    """settings.LANGUAGES: (code, the language's name in its own script)."""
    return settings.LANGUAGES


def language_markup(code):
    """A language in its own name and script, marked up for a page in any other language:
    ``<bdi lang="ur">اردو</bdi>``. ``bdi`` isolates its direction, so "اردو: 1" beside a number
    reads as written, not "1 :اردو"; ``lang`` lets a screen reader pronounce it. Used by the
    ``language`` template filter and by tables and cards that show a language."""
    if not code:
        return ""
    return format_html('<bdi lang="{}">{}</bdi>', code, dict(settings.LANGUAGES).get(code, code))
