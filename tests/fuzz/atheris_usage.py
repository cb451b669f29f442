"""Coverage-guided fuzzing (atheris): The operators' usage importer (dry run) on raw bytes, plus its period and usage cell parsers.

    .venv/bin/python tests/fuzz/atheris_usage.py -max_total_time=60

Run by ``scripts/fuzz.sh``. A crash is any exception the target does not allow (see
``tests/fuzz/targets.py``); atheris writes the input to ``crash-*``.
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["connectivity.usage", "core.imports.readers"]):
    from tests.fuzz.atheris_common import run, setup_django

    setup_django(migrate=True)
    import core.imports.readers  # noqa: F401 - imported here so atheris instruments them
    import connectivity.usage  # noqa: F401
    from tests.fuzz import targets


if __name__ == "__main__":
    run(targets.usage, "usage")
