"""Coverage-guided fuzzing (atheris): The IMEI, ICCID and UK phone parsers, and the import cell parsers, on arbitrary text.

    .venv/bin/python tests/fuzz/atheris_identifiers.py -max_total_time=60

Run by ``scripts/fuzz.sh``. A crash is any exception the target does not allow (see
``tests/fuzz/targets.py``); atheris writes the input to ``crash-*``.
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["devices.validators", "core.imports.parsers", "phonenumbers"]):
    from tests.fuzz.atheris_common import run, setup_django

    setup_django(migrate=False)
    import core.imports.parsers  # noqa: F401 - imported here so atheris instruments them
    import devices.validators  # noqa: F401
    from tests.fuzz import targets


if __name__ == "__main__":
    run(targets.identifiers, "identifiers")
