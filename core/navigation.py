"""Navigation by role. Each app may define ``navigation.py`` with ``ITEMS``: a list of
``NavItem``; they are collected here in INSTALLED_APPS order, so an app adds its pages to the
header without editing shared code."""

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple  # role values that see this item; admins see everything
    order: int = 50


# Packages inside an app that contribute their own items (core's own pages live in sub-packages).
EXTRA_MODULES = ("core.imports.navigation",)


@lru_cache(maxsize=1)
def all_items():
    items = []
    names = [f"{config.name}.navigation" for config in apps.get_app_configs()] + list(EXTRA_MODULES)
    for name in names:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        items.extend(getattr(module, "ITEMS", []))
    return sorted(items, key=lambda i: i.order)


def navigation_for(user, current_path=""):
    if not getattr(user, "is_authenticated", False):
        return []
    result = []
    for item in all_items():
        if not (user.is_superuser or user.role == "admin" or user.role in item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        result.append({"url": url, "label": item.label, "active": active})
    return result
