"""Home-page cards. Each app may define ``dashboard.py`` with ``cards(user)`` returning a list
of ``Card``; the home page shows them in INSTALLED_APPS order. Every figure must be computed
from ``visible_to(user)`` querysets."""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps


@dataclass
class Card:
    label: str
    value: object
    url: str = ""
    hint: str = ""
    #: the "what this counts" link (``reports.definitions``: the figure's definition)
    about: str = ""
    #: the figure's registry name, when the card shows a registered figure
    name: str = ""


def cards_for(user):
    result = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "cards"):
            result.extend(module.cards(user))
    return result
