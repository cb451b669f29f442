"""``python manage.py bench [--scale small|london|national] [--json FILE]``: performance scenarios.

Makes sure the synthetic data for the scale exists (``generate_scale_data``; existing data is
reused), then runs every scenario from ``benchmarks.all_scenarios()`` and prints one line each:
``BENCH <name> ours_s=… anchor_s=… ratio=…``. ``--only`` runs the named scenarios only;
``--scale tiny`` (300 devices) is for the test suite.
"""

import json
import platform
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks import SCALES, all_scenarios

TINY = 300


class Command(BaseCommand):
    help = "Run the performance scenarios at a scale, side by side with their anchors."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small", choices=[*SCALES, "tiny"])
        parser.add_argument("--json", dest="json_file", help="Also write the results to this JSON file.")
        parser.add_argument("--only", default="", help="Comma-separated scenario names to run (default: all).")
        parser.add_argument("--no-generate", action="store_true", help="Use the data already in the database as it is.")

    def handle(self, *args, **options):
        scale = options["scale"]
        devices = TINY if scale == "tiny" else SCALES[scale]
        if not options["no_generate"]:
            call_command("generate_scale_data", devices=devices, stdout=self.stdout)
        wanted = {n.strip() for n in options["only"].split(",") if n.strip()}
        scenarios = [s for s in all_scenarios() if not wanted or s.__name__ in wanted]
        unknown = wanted - {s.__name__ for s in scenarios}
        if unknown:
            raise CommandError(f"Unknown scenario(s): {', '.join(sorted(unknown))}")
        results = []
        for scenario in scenarios:
            started = time.perf_counter()
            # The page scenarios sign in with force_login; two-step verification happens once
            # per session, not per request, so it is out of what is measured. django-axes
            # would log that sign-in with no client address (which PostgreSQL's inet refuses).
            with override_settings(TWO_FACTOR_REQUIRED=False, AXES_ENABLED=False):
                result = scenario(scale, self.stdout)
            self.stdout.write(result.line())
            results.append(
                {"name": result.name, "ours_s": result.ours_s, "anchor_s": result.anchor_s, "ratio": result.ratio,
                 "extra": result.extra, "wall_s": round(time.perf_counter() - started, 3)}
            )
        if options["json_file"]:
            report = {
                "scale": scale,
                "devices": devices,
                "database": connection.vendor,
                "machine": f"{platform.machine()} {platform.processor() or ''} Python {platform.python_version()}".strip(),
                "at": timezone.now().isoformat(),
                "results": results,
            }
            with open(options["json_file"], "w", encoding="utf-8") as f:
                json.dump(report, f, indent=2, default=str)
