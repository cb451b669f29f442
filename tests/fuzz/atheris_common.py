"""Shared set-up for the atheris harnesses (``tests/fuzz/atheris_*.py``, run by ``scripts/fuzz.sh``).

Django is configured on an in-memory SQLite database (migrated once) so harnesses that touch
models need no server. A harness's ``allowed`` exceptions are the clear, user-facing ones; any
other exception is a crash, and atheris saves the input (``crash-*`` in the working directory).
Inputs worth keeping go into ``tests/fuzz/corpus/<harness>/``, which ``test_corpus.py`` replays.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"


def setup_django(migrate=False):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, run_syncdb=True)


def run(test_one_input, name):
    """Fuzz ``test_one_input`` with atheris, seeded from this harness's corpus directory."""
    import atheris

    seeds = CORPUS / name
    # libFuzzer adds the inputs it finds to the first directory: a scratch one, so the kept
    # corpus holds only seeds and regression inputs chosen by a person.
    work = Path(os.environ.get("FUZZ_WORK", ROOT / "var" / "fuzz")) / name
    work.mkdir(parents=True, exist_ok=True)
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        argv += [str(work), str(seeds)]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
