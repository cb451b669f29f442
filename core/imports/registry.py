"""Which spec serves which ``ImportJob.Kind``.

Specs live with the app whose rows they write; this maps a kind to the dotted path of its
``SPEC`` object. ``settings.IMPORT_SPECS`` (a dict of the same shape) adds or replaces kinds,
so another app can plug in an import without editing this file.
"""

from django.conf import settings
from django.http import Http404
from django.utils.module_loading import import_string

DEFAULT_SPECS = {
    "delivery": "devices.imports.SPEC",
    "allocations": "allocations.imports.SPEC",
}


def spec_paths():
    return {**DEFAULT_SPECS, **getattr(settings, "IMPORT_SPECS", {})}


def get_spec(kind):
    """The spec for ``kind``; ``LookupError`` when there is none."""
    path = spec_paths().get(kind)
    if not path:
        raise LookupError(kind)
    try:
        return import_string(path)
    except ImportError as exc:
        raise LookupError(kind) from exc


def get_spec_or_404(kind):
    try:
        return get_spec(kind)
    except LookupError:
        raise Http404 from None


def available_kinds():
    """(kind, spec) for every kind whose spec can be loaded, in registry order; a spec with
    ``listed_on_import_pages = False`` (a network's status file) has its own page elsewhere."""
    found = []
    for kind in spec_paths():
        try:
            spec = get_spec(kind)
        except LookupError:
            continue
        if getattr(spec, "listed_on_import_pages", True):
            found.append((kind, spec))
    return found
