"""Bulk import of extra-data requests on families' own phones (kind ``family_data``), a spec
for the shared engine in ``core.imports``.

Columns: child reference, account holder, mobile number, network, pay as you go or contract,
consent. Each row raises one "Extra data on the family's own phone" request for a child of the
officer's council (``connectivity.services.raise_family_data_requests``). Every problem is
reported as ``row N, column: message``: no consent, a number that is not a UK mobile, a network
or child we do not know, the same number twice in the file or with an open request already.
Nothing is written unless every row is valid (the engine's one transaction).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import parsers
from core.imports.engine import Field, ImportSpec

CHUNK = 2000

PLAN_WORDS = {
    "payg": "payg", "pay as you go": "payg", "pay-as-you-go": "payg", "prepay": "payg", "prepaid": "payg", "pre-pay": "payg",
    "contract": "contract", "pay monthly": "contract", "monthly": "contract", "post-pay": "contract", "postpay": "contract",
}


def _fold(text):
    return " ".join(str(text).lower().replace("-", " ").split())


class FamilyDataSpec(ImportSpec):
    kind = "family_data"
    title = _l("Extra data on families' own phones")
    fields = (
        Field("reference", _l("Child reference"), parsers.text_max(40), ("child ref", "child id", "reference", "ref", "pupil reference", "upn"), required=True),
        Field("account_holder", _l("Account holder"), parsers.text_max(120), ("account holder's name", "account name", "name on account", "bill payer", "account holder name"), required=True),
        Field("msisdn", _l("Mobile number"), parsers.uk_mobile, ("phone", "phone number", "mobile", "number", "msisdn", "family's number"), required=True),
        Field("network", _l("Network"), parsers.text_max(60), ("mobile network", "network operator", "operator", "provider"), required=True),
        Field("phone_plan", _l("Pay as you go or contract"), parsers.choice(PLAN_WORDS, _l("“%(value)s” is not pay as you go or contract.")),
              ("payg or contract", "payg/contract", "plan", "plan type", "contract type", "account type"), required=True),
        Field("consent", _l("Consent"), parsers.boolean, ("consent given", "family consent", "agreed", "consent to share"), required=True),
    )
    count_labels = {"created": _l("Requests to raise")}
    done_labels = {"created": (_l("Requests raised"), "connectivity:request_list")}

    def begin(self, ctx):
        from connectivity.models import NetworkOperator

        networks = {}
        for pk, name, slug in NetworkOperator.objects.values_list("pk", "name", "slug"):
            networks[_fold(name)] = pk
            networks[_fold(slug)] = pk
        ctx.state.update(networks=networks, numbers={}, references={})

    def check(self, ctx, row):
        d = row.data
        if d["consent"] is not True:
            ctx.error(row, "consent", _("The family must agree to share the number with the network: only rows with consent “yes” can be sent."))
            return
        network = ctx.state["networks"].get(_fold(d["network"]))
        if network is None:
            ctx.error(row, "network", _("“%(value)s” is not a network we know.") % {"value": d["network"][:40]})
            return
        first = ctx.state["numbers"].get(d["msisdn"])
        if first is not None:
            ctx.error(row, "msisdn", _("This number is also on row %(row)s.") % {"row": first})
            return
        ctx.state["numbers"][d["msisdn"]] = row.number
        ctx.state["references"].setdefault(d["reference"], []).append(row.number)
        d["network_id"] = network
        ctx.rows.append(row)

    def finish(self, ctx):
        from allocations.models import Child
        from connectivity.models import NetworkRequest

        refs = list(ctx.state["references"])
        children = {}
        for i in range(0, len(refs), CHUNK):
            children.update(
                Child.objects.filter(local_authority=ctx.local_authority, anonymised_at__isnull=True, reference__in=refs[i : i + CHUNK]).values_list("reference", "pk")
            )
        for ref, rows in ctx.state["references"].items():
            if ref not in children:
                for number in rows:
                    ctx.error(number, "reference", _("No child with this reference is recorded for this council."))
        numbers = list(ctx.state["numbers"])
        open_ = {}
        for i in range(0, len(numbers), CHUNK):
            open_.update(NetworkRequest.objects.open().filter(kind="family_data", msisdn__in=numbers[i : i + CHUNK]).values_list("msisdn", "pk"))
        for number, request_pk in open_.items():
            ctx.error(ctx.state["numbers"][number], "msisdn", _("This number already has an open request for extra data (%(ref)s).") % {"ref": NetworkRequest(pk=request_pk).reference})
        ctx.state["children"] = children
        for row in ctx.rows:
            if row.data["reference"] in children and row.data["msisdn"] not in open_:
                ctx.count("created")

    def write(self, ctx):
        from connectivity.services import raise_family_data_requests

        children = ctx.state["children"]
        raise_family_data_requests(
            items=[
                {"child_id": children[r.data["reference"]], "msisdn": r.data["msisdn"], "network_id": r.data["network_id"],
                 "account_holder": r.data["account_holder"], "phone_plan": r.data["phone_plan"]}
                for r in ctx.rows
            ],
            by=ctx.user, reason=_("Imported from %(file)s") % {"file": ctx.filename or _("a spreadsheet")},
        )


SPEC = FamilyDataSpec()
