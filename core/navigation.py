"""Navigation by role. Each app may define ``navigation.py`` with ``ITEMS``: a list of
``NavItem``; they are collected here in INSTALLED_APPS order, so an app adds its pages to the
header without editing shared code.

An item may name a ``section`` (one of ``SECTIONS``). When a user's items are more than fit one
row of the header (``FLAT_MAX``), the header shows one link per section (to the section's first
item; a section with a single item shows that item itself) and the items of the current
section appear below the header as the section's own navigation. Roles with few pages (network
users, the London lead) keep a flat header."""

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple  # role values that see this item; admins see everything
    order: int = 50
    section: str = ""  # a key of SECTIONS; "" for an item of its own in the header


@dataclass(frozen=True)
class Section:
    label: str
    order: int


#: The header's sections, declared once. An app puts an item in one with ``NavItem(section=...)``.
SECTIONS = {
    "devices": Section(_("Devices"), 10),
    "children": Section(_("Children"), 20),
    "connectivity": Section(_("Connectivity"), 25),
    "support": Section(_("Support"), 60),
    "reports": Section(_("Reports"), 65),
    "schools": Section(_("Schools"), 80),
    "settings": Section(_("Settings"), 95),
}

#: Up to this many items, a user's header lists them all (one row at 1280 px).
FLAT_MAX = 8

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
    unknown = {i.section for i in items if i.section and i.section not in SECTIONS}
    if unknown:
        raise ValueError(f"Navigation items name unknown sections: {', '.join(sorted(unknown))}")
    return sorted(items, key=lambda i: i.order)


def _visible(user):
    """(item, url) for each item the user's role sees, in order."""
    result = []
    for item in all_items():
        if not (user.is_superuser or user.role == "admin" or user.role in item.roles):
            continue
        try:
            result.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return result


def _current(visible, path):
    """The url of the item the page belongs to: the longest item url the path starts with
    (``/support/mine/`` is "My tickets", not also "Queue")."""
    matches = [url for _item, url in visible if (path == url if url == "/" else path.startswith(url))]
    return max(matches, key=len) if matches else None


def menus_for(user, current_path=""):
    """(header items, section items) for the user on ``current_path``: lists of
    ``{"url", "label", "active", "section"}`` ("section": the entry stands for a section, so an
    active one is marked ``aria-current="true"`` rather than ``"page"``). Section items are empty on a flat header, outside every
    section, and in a section of one item."""
    if not getattr(user, "is_authenticated", False):
        return [], []
    visible = _visible(user)
    current = _current(visible, current_path)
    if len(visible) <= FLAT_MAX:
        return [{"url": url, "label": item.label, "active": url == current, "section": False} for item, url in visible], []
    header, groups = [], {}
    for item, url in visible:
        if not item.section:
            header.append((item.order, {"url": url, "label": item.label, "active": url == current, "section": False}))
            continue
        if item.section not in groups:
            groups[item.section] = []
        groups[item.section].append((item, url))
    sub = []
    for key, members in groups.items():
        active = any(url == current for _item, url in members)
        first_item, first_url = members[0]
        label = first_item.label if len(members) == 1 else SECTIONS[key].label
        header.append((SECTIONS[key].order, {"url": first_url, "label": label, "active": active, "section": len(members) > 1}))
        if active and len(members) > 1:
            sub = [{"url": url, "label": item.label, "active": url == current} for item, url in members]
    header.sort(key=lambda pair: pair[0])
    return [entry for _order, entry in header], sub


def navigation_for(user, current_path=""):
    """The header's items (see ``menus_for``)."""
    return menus_for(user, current_path)[0]
