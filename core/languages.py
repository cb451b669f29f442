"""The service's languages as model and form choices.

``language_choices`` is passed as ``choices=`` to every language field: a callable, so a
migration names the function rather than copying the list, and adding a language to
``settings.LANGUAGES`` needs no migration (docs/operations.md, "Languages").
"""

from django.conf import settings


def language_choices():
    """settings.LANGUAGES: (code, the language's name in its own script)."""
    return settings.LANGUAGES
