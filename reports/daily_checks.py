"""Daily safety net for the summary tables: recompute them from the source tables and print
how many keys were wrong (``reports.summaries.rebuild``; 0 expected, the triggers keep them)."""


def run(today, stdout):
    from reports import summaries

    summaries.roll_data_date()
    wrong = summaries.rebuild()
    stdout.write(f"Summary tables checked: {wrong} keys corrected")
    return wrong
