"""Delivery intake: a supplier's manifest (CSV/XLSX) -> delivery batches, devices, SIMs, events.

One row per device: kind, make, model, serial, IMEI, ICCID, MSISDN, network, delivery date,
order reference. Guarantees (through ``core.imports.engine``): every row is checked before
anything is written; serials, IMEIs, ICCIDs and mobile numbers already recorded, or repeated
within the file, are row errors (never duplicated); the commit writes everything or nothing.
Devices arrive ``delivered``, owned by the importing officer's LA, each with a ``delivered``
``DeviceEvent``; a SIM on the same row is linked to its device.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import parsers
from core.imports.engine import Field, ImportSpec

CHUNK = 900  # keeps IN (...) lists under SQLite's parameter limit

KIND_WORDS = {
    "laptop": "laptop",
    "notebook": "laptop",
    "chromebook": "laptop",
    "computer": "laptop",
    "tablet": "tablet",
    "ipad": "tablet",
    "router": "router",
    "4g router": "router",
    "dongle": "router",
    "4g dongle": "router",
    "mifi": "router",
    "hotspot": "router",
    "mobile wifi": "router",
    "4g": "router",
}


#: The networks a delivery file may name when no operator record exists yet: the UK's four
#: mobile networks. Any other name must match an operator an administrator has recorded, so an
#: officer's or supplier's file can never add a global network record (a typo, or worse).
KNOWN_NETWORKS = {"ee": ("EE", "ee"), "vodafone": ("Vodafone", "vodafone"), "o2": ("O2", "o2"), "three": ("Three", "three"), "3": ("Three", "three")}


def network_key(name):
    return "".join(ch for ch in (name or "").casefold() if ch.isalnum())


def chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class DeliverySpec(ImportSpec):
    kind = "delivery"
    title = _l("Delivery manifest")
    fields = (
        Field("kind", _l("Kind"), parsers.choice(KIND_WORDS, _l("“%(value)s” is not a kind of device: use laptop, tablet or router.")), ("device type", "type", "device kind", "product type", "category"), required=True, help=_l("laptop, tablet or router. Also read: notebook, Chromebook and computer (laptop); iPad (tablet); 4G router, dongle, 4G dongle, MiFi, hotspot, mobile wifi and 4G (router).")),
        Field("make", _l("Make"), parsers.text_max(60), ("manufacturer", "brand", "vendor"), help=_l("Who made it, for example Lenovo. At most 60 characters.")),
        Field("model", _l("Model"), parsers.text_max(100), ("model name", "product", "description", "model number"), help=_l("For example 100e Chromebook Gen 3. At most 100 characters.")),
        Field("serial", _l("Serial number"), parsers.serial, ("serial", "serial no", "s/n", "sn", "device serial", "serial_number"), required=True, help=_l("As printed on the device: letters and digits, at most 60 (spaces are removed; capitals or not, it is the same serial). Each serial once in the file.")),
        Field("imei", _l("IMEI"), parsers.imei, ("imei number", "imei no"), help=_l("15 digits (routers and tablets with a modem), with a valid check digit.")),
        Field("iccid", _l("ICCID"), parsers.iccid, ("sim number", "sim serial", "sim", "iccid number", "sim iccid", "sim serial number", "sim card number", "sim card"), help=_l("The SIM's 19 or 20 digits, starting 89, with a valid check digit: only for devices with a SIM.")),
        Field("msisdn", _l("Mobile number"), parsers.uk_mobile, ("msisdn", "phone number", "sim phone number", "mobile", "mobile no"), help=_l("The SIM's UK mobile number, like 07700 900123 or +44 7700 900123; needs the ICCID on the same row.")),
        Field("network", _l("Network"), parsers.text_max(60), ("network operator", "operator", "carrier", "mno"), help=_l("The SIM's network: EE, Vodafone, O2 or Three (or another an administrator has added).")),
        Field("delivered_on", _l("Delivery date"), parsers.date, ("delivered", "delivered on", "date delivered", "date", "ship date", "dispatch date"), required=True, help=_l("Day first, for example 15/01/2026, 15.1.26, 15-Jan-2026 or 2026-01-15, or an Excel date; between 1990 and 2100.")),
        Field("order_reference", _l("Order reference"), parsers.text_max(60), ("order", "order ref", "order number", "po", "po number", "purchase order"), help=_l("The order or purchase order number. Rows with the same order and date are one delivery.")),
        Field("supplier", _l("Supplier"), parsers.text_max(100), (), help=_l("Who delivered it, for example Computacenter.")),
        Field("asset_tag", _l("Asset tag"), parsers.text_max(40), ("asset", "asset number", "asset id"), help=_l("Your council's own tag, if you use them. At most 40 characters.")),
    )
    done_labels = {
        "devices": (_l("Devices imported"), "devices:device_list"),
        "sims": (_l("SIMs imported"), ""),
        "batches": (_l("Deliveries recorded"), ""),
    }
    count_labels = {
        "devices": _l("Devices to create"),
        "sims": _l("SIMs to create"),
        "batches": _l("Deliveries (order and date)"),
        "already_known": _l("Already recorded (errors)"),
        "duplicates": _l("Repeated within the file (errors)"),
    }

    def done_query(self, key, job):
        """The device list's query for the devices this import created (their batches')."""
        return f"?import_job={job.pk}" if key == "devices" else ""

    def begin(self, ctx):
        from connectivity.models import NetworkOperator

        networks = {}
        for name, slug in NetworkOperator.objects.values_list("name", "slug"):
            networks[network_key(name)] = name
            networks.setdefault(network_key(slug), name)
        ctx.state.update(seen={"serial": {}, "imei": {}, "iccid": {}, "msisdn": {}}, batches=set(), keep=[], networks=networks)

    def check(self, ctx, row):
        d = row.data
        seen = ctx.state["seen"]
        ok = True
        for name in ("serial", "imei", "iccid", "msisdn"):
            value = d.get(name)
            if not value:
                continue
            first = seen[name].get(value)
            if first is not None:
                ctx.error(row, name, _("This is also on row %(row)s.") % {"row": first})
                ctx.count("duplicates")
                ok = False
            else:
                seen[name][value] = row.number
        network = d.get("network")
        if network and d.get("iccid"):
            key = network_key(network)
            if key not in ctx.state["networks"] and key not in KNOWN_NETWORKS:
                ctx.error(row, "network", _("“%(name)s” is not a network we know. Use EE, Vodafone, O2 or Three, or ask an administrator to add it.") % {"name": network[:40]})
                ok = False
        if d.get("msisdn") and not d.get("iccid"):
            ctx.error(row, "msisdn", _("A mobile number needs the SIM's ICCID on the same row."))
            ok = False
        if ok:
            ctx.state["keep"].append(row.number)
            ctx.state["batches"].add((d.get("order_reference") or "", d["delivered_on"]))
            ctx.count("devices")
            if d.get("iccid"):
                ctx.count("sims")
            if ctx.committing:
                ctx.rows.append(row)

    def finish(self, ctx):
        from connectivity.models import Sim
        from devices.models import Device

        seen = ctx.state["seen"]
        known_rows = set()
        lookups = [
            ("serial", Device, "serial", _("A device with this serial number is already recorded for your council.")),
            ("imei", Device, "imei", _("A device with this IMEI is already recorded for your council.")),
            ("iccid", Sim, "iccid", _("A SIM with this ICCID is already recorded for your council.")),
            ("msisdn", Sim, "msisdn", _("A SIM with this mobile number is already recorded for your council.")),
        ]
        # Identifiers are unique nationally, so another council's is refused too, but with words
        # that do not say it exists elsewhere (nor where): no existence oracle for other LAs.
        elsewhere = _("This cannot be recorded: check it against the delivery note. If it is right, contact support.")
        la_id = ctx.local_authority.pk
        for name, model, column, message in lookups:
            values = seen[name]
            for chunk in chunks(values):
                for found, owner in model.objects.filter(**{f"{column}__in": chunk}).values_list(column, "local_authority_id"):
                    ctx.error(values[found], name, message if owner == la_id else elsewhere)
                    known_rows.add(values[found])
        if known_rows:
            ctx.counts["already_known"] = len(known_rows)
        ctx.counts["batches"] = len(ctx.state["batches"])
        if ctx.errors:
            ctx.counts["devices"] = max(0, ctx.counts["devices"] - len({e["row"] for e in ctx.errors}))

    def write(self, ctx):
        from simple_history.utils import bulk_create_with_history

        from connectivity.models import NetworkOperator, Sim
        from devices.models import DeliveryBatch, Device, DeviceEvent, DeviceStatus

        la, user, now = ctx.local_authority, ctx.user, timezone.now()
        suppliers = {}
        for r in ctx.rows:
            if r.data.get("supplier"):
                suppliers.setdefault(r.data.get("order_reference") or "", r.data["supplier"])
        batches = {}
        for order_reference, delivered_on in sorted(ctx.state["batches"], key=lambda b: (b[1], b[0])):
            supplier = suppliers.get(order_reference, "")
            batches[(order_reference, delivered_on)] = DeliveryBatch.objects.create(
                local_authority=la, order_reference=order_reference, delivered_on=delivered_on, supplier=supplier, created_by=user,
                import_job=ctx.state.get("job"),
            )
        operators = {}
        known = ctx.state["networks"]
        for name in sorted({r.data["network"] for r in ctx.rows if r.data.get("network") and r.data.get("iccid")}):
            key = network_key(name)
            if key in known:
                existing = NetworkOperator.objects.filter(name=known[key]).first()
            else:  # one of the four UK networks, not recorded yet (checked in ``check``)
                canonical, slug = KNOWN_NETWORKS[key]
                existing, _created = NetworkOperator.objects.get_or_create(slug=slug, defaults={"name": canonical})
            operators[name] = existing
        note = _("Delivered: imported from %(file)s") % {"file": ctx.filename}
        for part in chunks(ctx.rows, self.batch_size):
            devices = [
                Device(
                    kind=r.data["kind"],
                    make=r.data.get("make") or "",
                    model=r.data.get("model") or "",
                    serial=r.data["serial"],
                    imei=r.data.get("imei") or None,
                    asset_tag=r.data.get("asset_tag") or "",
                    local_authority=la,
                    batch=batches[(r.data.get("order_reference") or "", r.data["delivered_on"])],
                    status=DeviceStatus.DELIVERED,
                    delivered_on=r.data["delivered_on"],
                )
                for r in part
            ]
            bulk_create_with_history(devices, Device, batch_size=self.batch_size, default_user=user)
            if devices and devices[0].pk is None:  # backends that do not return ids
                by_serial = dict(Device.objects.filter(serial__in=[d.serial for d in devices]).values_list("serial", "pk"))
                for d in devices:
                    d.pk = by_serial[d.serial]
            sims = [
                Sim(
                    iccid=r.data["iccid"],
                    msisdn=r.data.get("msisdn") or None,
                    network=operators.get(r.data.get("network")),
                    device=device,
                    local_authority=la,
                )
                for r, device in zip(part, devices)
                if r.data.get("iccid")
            ]
            if sims:
                bulk_create_with_history(sims, Sim, batch_size=self.batch_size, default_user=user)
            DeviceEvent.objects.bulk_create(
                [
                    DeviceEvent(device=device, kind=DeviceEvent.Kind.DELIVERED, to_status=DeviceStatus.DELIVERED, actor=user, at=now, note=note)
                    for device in devices
                ],
                batch_size=self.batch_size,
            )


SPEC = DeliverySpec()
