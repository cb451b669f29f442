"""Performance scenarios run by ``python manage.py bench``.

Each module in this package defines ``SCENARIOS``: a list of callables ``run(scale, stdout)``
returning a ``benchmarks.Result``. Every scenario measures our way and an anchor (the naive or
library-default way of doing the same work) in the same run, on the same data.
"""

from dataclasses import dataclass, field
from importlib import import_module
from pkgutil import iter_modules

SCALES = {"small": 20_000, "london": 400_000, "national": 2_000_000}


@dataclass
class Result:
    name: str
    ours_s: float
    anchor_s: float
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self):
        return self.anchor_s / self.ours_s if self.ours_s else float("inf")

    def line(self):
        extras = " ".join(f"{k}={v}" for k, v in self.extra.items())
        return f"BENCH {self.name} ours_s={self.ours_s:.4f} anchor_s={self.anchor_s:.4f} ratio={self.ratio:.1f} {extras}".rstrip()


class _Rollback(Exception):
    pass


def timed_and_rolled_back(fn):
    """(seconds, value) of ``fn()`` run inside a transaction that is then rolled back, so a
    scenario can measure writes and leave the data as it found it (the time excludes the
    rollback)."""
    import time

    from django.db import transaction

    start = time.perf_counter()
    try:
        with transaction.atomic():
            value = fn()
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, value


def all_scenarios():
    found = []
    for module_info in iter_modules(__path__):
        if module_info.name.startswith("_") or module_info.name == "tests":
            continue
        module = import_module(f"{__name__}.{module_info.name}")
        found.extend(getattr(module, "SCENARIOS", []))
    return found
