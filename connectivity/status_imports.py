"""A network's file of status updates (kind ``network_statuses``) through the import engine.

Columns: the request (its reference, NR-000123, or its SIM's ICCID), the new status, the
problem code (with "Problem" only) and a note. The engine reads the file (CSV or XLSX, headings
as people write them), ``validate`` is the dry run (every row error as ``row N, column:
message``) and ``commit`` checks every row again and writes all or nothing. The rules and the
set-based writes are ``connectivity.network_statuses`` (shared with the API). The network is
the uploading user's (``user.network_operator``): a network user's page is
``connectivity:status_upload``; these jobs have no LA, so they are not ``ImportJob`` rows.
"""

from django.utils.translation import gettext_lazy as _l

from connectivity import network_statuses as ns
from core.imports import parsers
from core.imports.engine import Field, ImportRejected, ImportSpec


class NetworkStatusSpec(ImportSpec):
    kind = "network_statuses"
    title = _l("Request statuses from a network")
    #: Uploaded by network users on their own page (not the council's import pages).
    upload_url_name = "connectivity:status_upload"
    listed_on_import_pages = False
    column_choice = False
    fields = (
        Field("reference", ns.COLUMN_LABELS["reference"], parsers.text_max(40),
              ("request", "reference", "request reference", "ref", "iccid", "sim", "request or iccid", "request reference or iccid"), required=True),
        Field("status", ns.COLUMN_LABELS["status"], parsers.text_max(40), ("status", "new status", "state"), required=True),
        Field("problem", ns.COLUMN_LABELS["problem"], parsers.text_max(40), ("problem", "problem code", "reason code", "error code")),
        Field("note", ns.COLUMN_LABELS["note"], parsers.text, ("note", "notes", "comment", "comments")),
    )
    count_labels = {"moved": _l("Requests to update")}
    done_labels = {"moved": (_l("Requests updated"), "connectivity:request_list")}

    def begin(self, ctx):
        network_id = getattr(ctx.user, "network_operator_id", None)
        if not network_id:
            raise ImportRejected(str(_l("Only a network's users can upload request statuses.")))
        ctx.state["checker"] = ns.Checker(network_id)

    def check(self, ctx, row):
        d = row.data
        try:
            ctx.state["checker"].check(row.number, d["reference"], d["status"], d.get("problem") or "", d.get("note") or "")
        except ns.RowProblem as exc:
            ctx.error(row, exc.column, exc.message)
            return
        ctx.count("moved")

    def write(self, ctx):
        try:
            ns.apply(ctx.state["checker"].plan, by=ctx.user)
        except ns.Changed as exc:
            raise ImportRejected(str(exc), ctx) from None


SPEC = NetworkStatusSpec()
