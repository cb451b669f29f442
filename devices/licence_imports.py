"""Bulk licence import (kind ``licences``), a spec for the shared engine in ``core.imports``.

Columns: serial, product, start, end, payer, annual cost. Each row is a licence for one of the
LA's devices, found by serial. A row with the same device, product and start as a licence
already recorded updates that licence (end, payer, cost), so re-importing a supplier's file
does not duplicate; anything else creates a licence. The engine reports every problem as
``row N, column: message`` and writes nothing unless every row is valid.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import parsers
from core.imports.engine import Field, ImportSpec
from core.imports.parsers import ParseError
from devices.models import Device, Licence

CHUNK = 2000

PRODUCT_WORDS = {
    "os_management": Licence.Product.OS_MANAGEMENT, "device management": Licence.Product.OS_MANAGEMENT,
    "mdm": Licence.Product.OS_MANAGEMENT, "os management": Licence.Product.OS_MANAGEMENT,
    "chrome education upgrade": Licence.Product.OS_MANAGEMENT, "intune": Licence.Product.OS_MANAGEMENT,
    "security": Licence.Product.SECURITY, "security and filtering": Licence.Product.SECURITY,
    "filtering": Licence.Product.SECURITY, "antivirus": Licence.Product.SECURITY,
    "office": Licence.Product.OFFICE, "office suite": Licence.Product.OFFICE, "microsoft 365": Licence.Product.OFFICE,
    "other": Licence.Product.OTHER,
}
PAYER_WORDS = {
    "dfe": Licence.Payer.DFE, "department for education": Licence.Payer.DFE,
    "la": Licence.Payer.LA, "council": Licence.Payer.LA, "local authority": Licence.Payer.LA,
    "school": Licence.Payer.SCHOOL, "family": Licence.Payer.FAMILY, "parent": Licence.Payer.FAMILY,
}


def money(value):
    """An amount in pounds: ``120``, ``£120.50``, ``1,200.00``; ``None`` when empty."""
    if value is None or value == "":
        return None
    text = str(value).replace("£", "").replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ParseError(_("“%(value)s” is not an amount of money.") % {"value": text[:30]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000"):
        raise ParseError(_("Give an amount between £0 and £999,999.99."))
    return amount.quantize(Decimal("0.01"))


class LicenceSpec(ImportSpec):
    kind = "licences"
    title = _l("Licences")
    fields = (
        Field("serial", _l("Serial number"), parsers.serial, ("serial", "serial no", "device serial", "s/n", "sn"), required=True),
        Field("product", _l("Product"), parsers.choice(PRODUCT_WORDS, _l("“%(value)s” is not a product we know: use device management, security, office or other.")), ("licence", "licence type", "product name"), required=True),
        Field("start", _l("Start"), parsers.date, ("start date", "from", "valid from", "licence start"), required=True),
        Field("end", _l("End"), parsers.date, ("end date", "to", "expiry", "expires", "valid to", "licence end"), required=True),
        Field("payer", _l("Paid by"), parsers.choice(PAYER_WORDS, _l("“%(value)s” is not a payer we know: use DfE, council, school or family.")), ("payer", "funded by", "paid by")),
        Field("annual_cost", _l("Annual cost"), money, ("cost", "annual cost (£)", "cost per year", "price")),
    )
    count_labels = {"created": _l("Licences to create"), "updated": _l("Licences to update")}
    done_labels = {"created": (_l("Licences created"), "devices:device_list"), "updated": (_l("Licences updated"), "devices:device_list")}

    def begin(self, ctx):
        ctx.state.update(seen={}, serials={})

    def check(self, ctx, row):
        d = row.data
        if d["end"] < d["start"]:
            ctx.error(row, "end", _("The end date is before the start date."))
            return
        key = (d["serial"], d["product"], d["start"])
        first = ctx.state["seen"].get(key)
        if first is not None:
            ctx.error(row, "serial", _("This device, product and start date are also on row %(row)s.") % {"row": first})
            return
        ctx.state["seen"][key] = row.number
        ctx.state["serials"].setdefault(d["serial"], []).append(row.number)
        ctx.rows.append(row)

    def finish(self, ctx):
        serials = list(ctx.state["serials"])
        devices = {}
        for i in range(0, len(serials), CHUNK):
            devices.update(
                Device.objects.filter(local_authority=ctx.local_authority, serial__in=serials[i : i + CHUNK]).values_list("serial", "id")
            )
        for serial, rows in ctx.state["serials"].items():
            if serial not in devices:
                for number in rows:
                    ctx.error(number, "serial", _("No device with this serial number is recorded for this council."))
        existing = {}
        ids = list(devices.values())
        for i in range(0, len(ids), CHUNK):
            for pk, device_id, product, start in Licence.objects.filter(device_id__in=ids[i : i + CHUNK]).values_list("id", "device_id", "product", "start"):
                existing[(device_id, product, start)] = pk
        ctx.state.update(devices=devices, existing=existing)
        for row in ctx.rows:
            device_id = devices.get(row.data["serial"])
            if device_id is not None:
                ctx.count("updated" if (device_id, row.data["product"], row.data["start"]) in existing else "created")

    def write(self, ctx):
        devices, existing = ctx.state["devices"], ctx.state["existing"]
        create, update = [], []
        for row in ctx.rows:
            d = row.data
            device_id = devices[d["serial"]]
            licence = Licence(
                device_id=device_id,
                product=d["product"],
                start=d["start"],
                end=d["end"],
                payer=d.get("payer") or Licence.Payer.LA,
                annual_cost=d.get("annual_cost"),
            )
            pk = existing.get((device_id, d["product"], d["start"]))
            if pk:
                licence.pk = pk
                update.append(licence)
            else:
                create.append(licence)
        Licence.objects.bulk_create(create, batch_size=self.batch_size)
        Licence.objects.bulk_update(update, ["end", "payer", "annual_cost"], batch_size=self.batch_size)


SPEC = LicenceSpec()
