"""Replays every kept fuzz input (seeds and the crashes atheris found) through its target.

``tests/fuzz/corpus/<target>/<file>``: a file named ``crash-*`` once broke the product; each
now runs to the end, raising only the exceptions the target allows (``tests/fuzz/targets.py``).
"""

from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

CORPUS = Path(__file__).resolve().parent / "corpus"
INPUTS = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and p.parent.name in TARGETS)


def test_every_target_has_seeds():
    assert {p.parent.name for p in INPUTS} == set(TARGETS)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_replay(db, path):
    TARGETS[path.parent.name](path.read_bytes())
