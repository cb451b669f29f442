"""The files a publication sends: the suppressed London table as CSV, its Frictionless Table
Schema, and the dataset metadata. Built from the London view's own table
(``reports.london.london_table``), suppressed by the one policy
(``hides_small_numbers(..., published=True)``): one definition per figure, and nothing
unsuppressed can reach the CSV, because the CSV is written only from ``StatTable.published()``.

Column names are the figures' registry names (stable, machine-readable); titles and
definitions are in English, the Datastore's language, whatever the requester's language.
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from core.exports import neutralise
from reports import definitions, london
from reports.suppression import PRIMARY_MAX, PRIMARY_MIN, SUPPRESSED, hides_small_numbers

LICENCE = {
    "id": "ogl-v3",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
LABEL_FIELDS = [
    ("la_code", "Local authority code", "The DfE three-digit local authority code; empty on the London total row."),
    ("la_name", "Local authority", "The local authority's name; \"London\" on the total row."),
]


@dataclass
class Built:
    csv_text: str
    schema: dict
    metadata: dict
    rows: int
    suppressed_cells: int

    @property
    def schema_text(self):
        return json.dumps(self.schema, indent=2, ensure_ascii=False)

    @property
    def metadata_text(self):
        return json.dumps(self.metadata, indent=2, ensure_ascii=False)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unit_of(name):
    f = definitions.figure(name)
    if f.kind == definitions.MONEY:
        return "GBP"
    return "children" if name.startswith("children") else "devices"


def schema():
    """A Frictionless Table Schema: each column's name, type, unit, definition and marker."""
    fields = [{"name": n, "title": t, "type": "string", "description": d} for n, t, d in LABEL_FIELDS]
    for name in london.COLUMNS:
        f = definitions.figure(name)
        fields.append({
            "name": name,
            "title": str(f.label),
            "type": "integer",
            "description": str(f.definition),
            "unit": unit_of(name),
            "constraints": {"minimum": 0},
            "suppressionMarker": SUPPRESSED,
        })
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "fields": fields,
        "missingValues": [SUPPRESSED],
        "primaryKey": ["la_code", "la_name"],
        "suppression": {
            "marker": SUPPRESSED,
            "rule": (
                f"Counts from {PRIMARY_MIN} to {PRIMARY_MAX} are replaced by {SUPPRESSED}, and further cells are "
                f"replaced until no hidden count can be worked out from the published cells and the table's sums."
            ),
        },
    }


def metadata(period, as_at):
    return {
        "title": "Devices for Children: laptops, tablets and connectivity by London borough",
        "description": (
            f"Laptops, tablets and 4G connectivity given to disadvantaged children, by London local authority, "
            f"for {period:%B %Y} (figures as at {as_at:%d %B %Y}). Small numbers are suppressed ({SUPPRESSED})."
        ),
        "period": f"{period:%Y-%m}",
        "as_at": as_at.isoformat(),
        "licence": LICENCE,
        "contact": {
            "name": getattr(settings, "PUBLISHING_CONTACT_NAME", "Devices for Children, London"),
            "email": getattr(settings, "PUBLISHING_CONTACT_EMAIL", "devices@london.example"),
        },
        "schema": "Frictionless Table Schema (the .schema.json file)",
    }


def build(period, as_at):
    """The suppressed London table for ``as_at``, as the files to publish."""
    with translation.override("en"):
        table = london.london_table(as_at)
        table.suppress_small = hides_small_numbers(None, None, published=True)
        _header, rows = table.published()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([n for n, _t, _d in LABEL_FIELDS] + list(london.COLUMNS))
        suppressed = 0
        for row in rows:
            labels, values = row[:2], row[2:]
            suppressed += sum(1 for v in values if v == SUPPRESSED)
            writer.writerow([neutralise(str(v)) for v in labels] + [v if isinstance(v, int) else neutralise(str(v)) for v in values])
        return Built(out.getvalue(), schema(), metadata(period, as_at), rows=len(rows), suppressed_cells=suppressed)
