"""Data bank voucher stock import (kind ``vouchers``), a spec for the shared engine in
``core.imports``.

Columns: voucher code (or SIM number), provider, kind (voucher or SIM), data (in GB unless
"MB" is written), expiry. Each row adds one voucher to the importing council's stock. A code
already in any council's stock, or twice in the file, is a row error (said without naming
where it is recorded); the engine reports every problem as ``row N, column: message`` and
writes nothing unless every row is valid (dry run, then an all-or-nothing commit).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import parsers
from core.imports.engine import Field, ImportSpec
from core.imports.parsers import ParseError
from connectivity.models import DataVoucher

CHUNK = 2000

KIND_WORDS = {
    "voucher": DataVoucher.Kind.VOUCHER, "code": DataVoucher.Kind.VOUCHER, "voucher code": DataVoucher.Kind.VOUCHER,
    "sim": DataVoucher.Kind.SIM, "sim card": DataVoucher.Kind.SIM, "sim only": DataVoucher.Kind.SIM,
}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")


def code(value):
    """A voucher code or SIM number: 4 to 40 letters, digits and hyphens, kept as written
    (upper case), spaces removed."""
    text = str(value if value is not None else "").strip().replace(" ", "").upper()
    if text.endswith(".0") and text[:-2].isdigit():  # a number read from a spreadsheet cell
        text = text[:-2]
    if not text:
        raise ParseError(_("Enter the voucher code."))
    if not CODE_PATTERN.match(text):
        raise ParseError(_("A voucher code is 4 to 40 letters, digits and hyphens."))
    return text


def data_amount(value):
    """An amount of data in MB: ``20`` or ``20 GB`` (GB), ``500 MB``; ``None`` when empty."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower().replace(",", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(gb|mb|g|m)?", text)
    if not match:
        raise ParseError(_("“%(value)s” is not an amount of data: write it as 20 GB or 500 MB.") % {"value": str(value)[:30]})
    amount, unit = float(match.group(1)), match.group(2) or "gb"
    mb = int(round(amount * 1024)) if unit.startswith("g") else int(round(amount))
    if mb <= 0 or mb > 10_000_000:
        raise ParseError(_("Give an amount of data between 1 MB and 10,000 GB."))
    return mb


class VoucherSpec(ImportSpec):
    kind = "vouchers"
    title = _l("Data bank vouchers")
    fields = (
        Field("code", _l("Voucher code"), code, ("voucher", "code", "voucher number", "sim number", "serial", "reference"), required=True),
        Field("provider", _l("Provider"), parsers.text_max(80), ("supplier", "data bank", "scheme", "network")),
        Field("kind", _l("Kind"), parsers.choice(KIND_WORDS, _l("“%(value)s” is not a kind we know: use voucher or SIM.")), ("type", "voucher or sim")),
        Field("data", _l("Data"), data_amount, ("data amount", "data allowance", "allowance", "gb", "data (gb)")),
        Field("expires", _l("Expiry"), parsers.date, ("expiry date", "expires", "valid until", "use by", "redeem by")),
    )
    count_labels = {"created": _l("Vouchers to add to the stock")}
    done_labels = {"created": (_l("Vouchers added to the stock"), "connectivity:voucher_list")}

    def begin(self, ctx):
        ctx.state.update(seen={})

    def check(self, ctx, row):
        key = row.data["code"]
        first = ctx.state["seen"].get(key)
        if first is not None:
            ctx.error(row, "code", _("This voucher code is also on row %(row)s.") % {"row": first})
            return
        ctx.state["seen"][key] = row.number
        ctx.rows.append(row)

    def finish(self, ctx):
        codes = list(ctx.state["seen"])
        known = set()
        for i in range(0, len(codes), CHUNK):
            known.update(DataVoucher.objects.filter(code__in=codes[i : i + CHUNK]).values_list("code", flat=True))
        for row in ctx.rows:
            if row.data["code"] in known:
                ctx.error(row, "code", _("This voucher code is already recorded: a voucher code cannot be added twice."))
            else:
                ctx.count("created")

    def write(self, ctx):
        from simple_history.utils import bulk_create_with_history

        vouchers = [
            DataVoucher(
                code=row.data["code"], provider=row.data.get("provider") or "National Databank",
                kind=row.data.get("kind") or DataVoucher.Kind.VOUCHER, data_mb=row.data.get("data"),
                expires=row.data.get("expires"), local_authority=ctx.local_authority,
            )
            for row in ctx.rows
        ]
        bulk_create_with_history(vouchers, DataVoucher, batch_size=self.batch_size, default_user=getattr(ctx, "user", None))


SPEC = VoucherSpec()
