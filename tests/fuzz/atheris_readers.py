"""Coverage-guided fuzzing (atheris): The spreadsheet reader (CSV sniffing and decoding, XLSX zip checks, header detection) on raw bytes.

    .venv/bin/python tests/fuzz/atheris_readers.py -max_total_time=60

Run by ``scripts/fuzz.sh``. A crash is any exception the target does not allow (see
``tests/fuzz/targets.py``); atheris writes the input to ``crash-*``.
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["core.imports", "openpyxl", "python_calamine", "zipfile", "csv"]):
    from tests.fuzz.atheris_common import run, setup_django

    setup_django(migrate=False)
    import core.imports.readers  # noqa: F401 - imported here so atheris instruments it
    from tests.fuzz import targets


if __name__ == "__main__":
    run(targets.readers, "readers")
