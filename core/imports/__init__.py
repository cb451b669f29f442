"""The spreadsheet import engine: readers, value parsers, specs, dry run and commit.

``readers`` turns a CSV/XLSX file into numbered rows; ``engine`` checks every row against a
declarative ``ImportSpec`` (dry run) and commits all-or-nothing; ``services`` drives
``ImportJob`` rows through upload, dry run, commit and retry; ``tasks`` runs big files in the
background worker.
"""
