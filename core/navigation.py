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


@lru_cache(maxsize=1)
def all_items():
    items = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
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
