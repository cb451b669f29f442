"""Devices pages: thin views over ``visible_to(user)`` querysets and ``devices.services``."""

import datetime
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import RedirectView, TemplateView

from core.bulk import BulkListMixin
from core.navigation_roles import DEVICE_ROLES
from core.views import LaChoiceMixin, ObjectDetailView, ObjectListView, RoleRequiredMixin
from devices import services
from devices.bulk import AlertBulkView, DeviceBulkView
from devices.horizon import cliff_edge, la_horizon
from reports import definitions, published
from reports.suppression import hides_small_numbers
from connectivity.coverage import plans_with_labels, usage_months
from connectivity.navigation import EVIDENCE_ROLES, UPLOAD_ROLES
from connectivity.navigation import data_pages as related_pages
from devices.filters import AlertFilterSet, DeliveryBatchFilterSet, DeviceFilterSet
from devices.forms import AlertGroupForm, DeliveryDetailsForm, DeviceAddForm, LifecycleForm, ScanForm
from devices.models import Alert, DeliveryBatch, Device, DeviceEvent, DeviceKind, DeviceStatus, Ownership
from devices.validators import format_uk_national
from devices.tables import GROUP_ITEMS_SHOWN, AlertGroupTable, AlertTable, DeliveryBatchTable, DeviceTable

DEVICE_LIST_RELATED = ("local_authority", "school", "batch", "sim__network")
DAY = datetime.timedelta(hours=24)
ACKNOWLEDGE_ROLES = ("council_officer", "school_staff", "admin")
EVENTS_SHOWN = 100


def device_base_queryset(user):
    """The rows of the device list before filtering: in scope, with the table's joins."""
    return Device.objects.visible_to(user).select_related(*DEVICE_LIST_RELATED)


def device_list_queryset(user, params=None):
    """The device list's rows for ``user`` and query parameters ``params`` (a dict or QueryDict),
    filtered and sorted as the page does it (default order: newest first, ``-id``).

    Invalid parameters give no rows, as on the page. For benchmarks and reports.
    """
    params = params or {}
    filterset = DeviceFilterSet(params, queryset=device_base_queryset(user), user=user)
    if not filterset.is_valid():
        return Device.objects.none()
    sort = params.get("sort")
    if not sort:
        return filterset.qs
    # ``?sort=`` is applied by the table, as on the page (unknown columns are ignored).
    return DeviceTable(filterset.qs, order_by=sort).data.data


# Roles that may raise a support ticket about a device (support.views.REPORT_ROLES).
SUPPORT_REPORT_ROLES = ("school_staff", "support_agent", "council_officer", "admin")


class DeviceListView(BulkListMixin, ObjectListView):
    model = Device
    table_class = DeviceTable
    filterset_class = DeviceFilterSet
    allowed_roles = DEVICE_ROLES
    export_name = "devices"
    title = gettext_lazy("Devices")
    template_name = "devices/device_list.html"
    bulk_url_name = "devices:device_bulk"
    bulk_view = DeviceBulkView

    def bulk_label_of(record):
        return record.serial

    def get_queryset(self):
        return device_base_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_print_labels"] = user.is_superuser or user.role in (*LABEL_ROLES, "admin")
        context["can_scan_in"] = user.role in INTAKE_ROLES
        return context


def _child_url(child_id):
    try:
        return reverse("allocations:child_detail", args=[child_id])
    except NoReverseMatch:
        return ""


class DeviceDetailView(ObjectDetailView):
    model = Device
    allowed_roles = DEVICE_ROLES
    template_name = "devices/device_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority", "school", "batch", "sim__network")

    def get_context_data(self, **kwargs):
        from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation
        from devices.horizon import device_months

        context = super().get_context_data(**kwargs)
        device, user = self.object, self.request.user
        today = timezone.localdate()
        holder = (
            Allocation.objects.visible_to(user).filter(device=device, status__in=ACTIVE_ALLOCATION_STATUSES)
            .select_related("child").first()
        )
        context["holder"] = holder
        user = self.request.user
        context["can_report_fault"] = user.is_superuser or user.role in SUPPORT_REPORT_ROLES
        context["can_print_labels"] = user.is_superuser or user.role in (*LABEL_ROLES, "admin")
        context["holder_url"] = _child_url(holder.child_id) if holder else ""
        events = custody_events(device.events.select_related("actor")[: EVENTS_SHOWN + 1], user, device)
        context["events"], context["more_events"] = events[:EVENTS_SHOWN], len(events) > EVENTS_SHOWN
        sim = getattr(device, "sim", None)
        plans = plans_with_labels(sim)
        context["sim"] = sim
        context["sim_msisdn"] = format_uk_national(sim.msisdn) if sim else ""
        context["plans"] = plans
        context["usage"] = usage_months(sim, plans) if sim else []
        context["licences"] = list(device.licences.all())
        # The licences and plans just read, and the trigger-kept child_needs_data column of the
        # device row just read (devices/cover.py), spare device_months its own queries.
        months = device_months(
            device, today,
            licences=[(licence.start, licence.end) for licence in context["licences"]],
            plans=[(plan.start, plan.end) for plan in plans],
            data_applies=device.kind == DeviceKind.ROUTER or device.child_needs_data,
        )
        context["strip"] = [
            {"month": month, "licence": licence, "data": data, "ok": licence and data is not False}
            for month, licence, data in months
        ]
        context["uncovered_months"] = sum(1 for m in context["strip"] if not m["ok"])
        options = services.lifecycle_options(device=device, user=user)
        context["lifecycle_form"] = LifecycleForm(options=options) if options else None
        context["title"] = str(device)
        return context


class DeviceTransitionView(RoleRequiredMixin, View):
    """POST a device-page lifecycle move; a refused move is a message on the device page."""

    model = Device
    allowed_roles = DEVICE_ROLES

    def get(self, request, pk):
        device = get_object_or_404(Device.objects.visible_to(request.user), pk=pk)
        return redirect(device.get_absolute_url())

    def post(self, request, pk):
        device = get_object_or_404(Device.objects.visible_to(request.user), pk=pk)
        options = services.lifecycle_options(device=device, user=request.user)
        if not options:
            messages.error(request, _("You cannot change this device's status."))
            return redirect(device.get_absolute_url())
        form = LifecycleForm(request.POST, options=options)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(device.get_absolute_url())
        try:
            services.apply_lifecycle_action(
                device=device, user=request.user, action=form.cleaned_data["action"], note=form.cleaned_data["note"]
            )
        except services.TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Device %(serial)s is now “%(status)s”.") % {"serial": device.serial, "status": device.get_status_display()}
            )
        return redirect(device.get_absolute_url())


class DeliveryBatchListView(ObjectListView):
    model = DeliveryBatch
    table_class = DeliveryBatchTable
    filterset_class = DeliveryBatchFilterSet
    allowed_roles = DEVICE_ROLES
    export_name = "deliveries"
    title = gettext_lazy("Deliveries")
    template_name = "devices/deliverybatch_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["upload_url"] = ""
        if user.is_superuser or user.role in services.LIFECYCLE_ROLES:
            try:
                context["upload_url"] = reverse("core:import_upload") + "?kind=delivery"
            except NoReverseMatch:
                pass
        return context


class DeliveryBatchDetailView(ObjectDetailView):
    model = DeliveryBatch
    allowed_roles = DEVICE_ROLES
    template_name = "devices/deliverybatch_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        devices = Device.objects.visible_to(self.request.user).filter(batch=self.object)
        counts = {}
        for row in devices.order_by().values("kind", "status").annotate(n=Count("id")):
            counts[(row["kind"], row["status"])] = row["n"]
        labels = dict(DeviceStatus.choices)
        kinds = dict(Device._meta.get_field("kind").choices)
        context["counts"] = [
            {"kind": kinds.get(kind, kind), "status": labels.get(status, status), "n": n}
            for (kind, status), n in sorted(counts.items())
        ]
        context["total"] = sum(counts.values())
        context["devices_url"] = reverse("devices:device_list") + f"?batch={self.object.pk}"
        context["title"] = str(self.object)
        return context


def can_acknowledge(user):
    return user.is_superuser or user.role in ACKNOWLEDGE_ROLES


class AlertListView(BulkListMixin, ObjectListView):
    """One line per condition (``AlertGroupTable``) unless ``?show=each``; the export is
    always one row per alert. Showing the page also runs the overdue-jobs check."""

    model = Alert
    table_class = AlertTable
    filterset_class = AlertFilterSet
    allowed_roles = DEVICE_ROLES
    export_name = "alerts"
    title = gettext_lazy("Alerts")
    template_name = "devices/alert_list.html"
    bulk_url_name = "devices:alert_bulk"
    bulk_view = AlertBulkView

    def bulk_label_of(record):
        return record.message[:80]

    def bulk_selectable(self):
        return not self.grouped()  # the grouped lines are groups, not alerts: "every alert matching" still works

    def get(self, request, *args, **kwargs):
        self.job_statuses = services.check_scheduled_jobs()
        return super().get(request, *args, **kwargs)

    def grouped(self):
        return self.request.GET.get("show") != "each"

    def get_queryset(self):
        return super().get_queryset().select_related("device", "local_authority")

    def get_table_class(self):
        return AlertGroupTable if self.grouped() else AlertTable

    def get_table_data(self):
        data = super().get_table_data()
        return data.grouped() if self.grouped() else data

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        kwargs["can_acknowledge"] = can_acknowledge(self.request.user)
        if self.grouped():
            kwargs["members_source"] = self.object_list
            kwargs["query"] = "state=" + self.request.GET["state"] if self.request.GET.get("state") in ("open", "acknowledged") else ""
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        daily = [s for s in self.job_statuses if s.job.every >= DAY]
        context["daily_checks"] = daily
        context["overdue_jobs"] = [s for s in self.job_statuses if s.overdue_since]
        return context


class AlertAcknowledgeAllView(RoleRequiredMixin, View):
    """"Acknowledge all N" for one line of the grouped list: a confirmation page (GET), then
    one call to ``services.acknowledge_alerts`` (POST)."""

    model = Alert
    allowed_roles = ACKNOWLEDGE_ROLES
    template_name = "devices/alert_acknowledge_all.html"

    def get(self, request):
        form = AlertGroupForm(request.GET)
        if not form.is_valid():
            messages.error(request, _("That group of alerts could not be found. Choose one from the list."))
            return redirect("devices:alert_list")
        alerts = Alert.objects.visible_to(request.user).open().in_group(**form.group())
        summary = alerts.aggregate(n=Count("pk"), upto=Max("pk"), las=Count("local_authority_id", distinct=True))
        if not summary["n"]:
            messages.info(request, _("There are no open alerts in that group."))
            return redirect("devices:alert_list")
        first = alerts.select_related("local_authority", "school", "device", "sim").order_by("pk")[:GROUP_ITEMS_SHOWN]
        return render(request, self.template_name, {
            "title": _("Acknowledge alerts"),
            "form": form, "group": form.group(), "kind_label": Alert.Kind(form.cleaned_data["kind"]).label,
            "n": summary["n"], "upto": summary["upto"], "la_count": summary["las"], "first": first,
            "next": reverse("devices:alert_list") + "?state=open",
            "params": [(name, request.GET[name]) for name in ("kind", "local_authority", "school", "month") if request.GET.get(name)],
        })

    def post(self, request):
        form = AlertGroupForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("That group of alerts could not be found. Choose one from the list."))
            return redirect("devices:alert_list")
        alerts = Alert.objects.visible_to(request.user).in_group(**form.group())
        n = services.acknowledge_alerts(alerts=alerts, by=request.user, upto=form.cleaned_data.get("upto"))
        messages.success(request, ngettext("%(n)s alert acknowledged.", "%(n)s alerts acknowledged.", n) % {"n": n})
        next_url = form.cleaned_data.get("next") or ""
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return redirect(next_url)
        return redirect(reverse("devices:alert_list") + "?state=open")


class AlertAcknowledgeView(RoleRequiredMixin, View):
    model = Alert
    allowed_roles = ACKNOWLEDGE_ROLES

    def get(self, request, pk):
        get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)
        return redirect("devices:alert_list")

    def post(self, request, pk):
        alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)
        try:
            services.acknowledge_alert(alert=alert, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Alert acknowledged."))
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return redirect(next_url)
        return redirect("devices:alert_list")


def custody_events(events, user, device=None):
    """The custody-log entries ``events`` (of one device, ``device`` when given, else each
    event's own) as ``user`` may see them, each with ``event.sentence``: what happened, as a
    line of the device's story ("Allocated to Ana Nowak (CAM-0001) at Argyle Primary by Sam
    Officer").

    An entry about an allocation names the child (``event.child``) only if ``user`` may see
    that allocation; otherwise ``event.redacted`` is set, and the entry says "a child at another
    school" instead of the child and leaves out the note (a return reason is free text).
    """
    from allocations.models import Allocation

    events = list(events)
    ids = {e.allocation_id for e in events if e.allocation_id}
    visible = {
        a.pk: a for a in Allocation.objects.visible_to(user).filter(pk__in=ids).select_related("child__school")
    } if ids else {}
    # Whose device it was at each entry: the family's from its (latest) ownership transfer on; a
    # family-owned device whose transfer is not among these entries was the family's throughout.
    transferred = {}
    for e in events:
        if e.kind == DeviceEvent.Kind.OWNERSHIP_TRANSFERRED:
            transferred[e.device_id] = max(transferred.get(e.device_id, (e.at, e.pk)), (e.at, e.pk))
    for event in events:
        allocation = visible.get(event.allocation_id)
        event.child = allocation.child if allocation else None
        event.child_url = _child_url(allocation.child_id) if allocation else ""
        event.redacted = bool(event.allocation_id) and allocation is None
        owner = device or event.device
        since = transferred.get(event.device_id)
        event.family_owned = owner.ownership == Ownership.FAMILY and (since is None or (event.at, event.pk) >= since)
        event.sentence, event.note_in_sentence = custody_sentence(event, owner, event.child)
    return events


def custody_sentence(event, device, child):
    """``(sentence, whether the note is in it)`` for one custody-log entry: what happened, in
    plain English, with the people by name. ``child`` is ``None`` when the viewer may not see
    the allocation's child (``event.redacted``: "a child at another school", no note)."""
    from django.utils.formats import date_format

    kind = DeviceEvent.Kind
    if event.redacted:
        child_words, school = _("a child at another school"), ""
    elif child is not None:
        child_words, school = str(child), (child.school.name if child.school_id else "")
    else:
        child_words, school = "", ""
    note = "" if event.redacted else _story_note(event)
    parts = {
        "la": device.local_authority.name, "child": child_words, "school": school, "note": note,
        "date": date_format(timezone.localtime(event.at).date() if timezone.is_aware(event.at) else event.at.date(), "j F Y"),
        "batch": (device.batch.order_reference or str(device.batch.pk)) if device.batch_id else "",
    }
    with_note = False
    if event.kind == kind.DELIVERED:
        text = _("Delivered to %(la)s in batch %(batch)s") if parts["batch"] else _("Delivered to %(la)s")
    elif event.kind == kind.ALLOCATED and child_words:
        text = _("Allocated to %(child)s at %(school)s") if school else _("Allocated to %(child)s")
    elif event.kind == kind.STOCKED and child_words and event.from_status in (DeviceStatus.ALLOCATED, ""):
        text = _("Back in stock: the allocation to %(child)s was cancelled")
    elif event.kind == kind.STOCKED:
        text = _stocked_words(event)
    elif event.kind == kind.REPAIRED and event.to_status in REPAIRED_WORDS:
        text = REPAIRED_WORDS[event.to_status][event.from_status == DeviceStatus.FAULT_REPORTED]
        if event.to_status == DeviceStatus.ALLOCATED and child_words:
            text = _("Repaired: allocated to %(child)s again") if event.from_status != DeviceStatus.FAULT_REPORTED else _("Fault resolved: allocated to %(child)s again")
    elif event.kind == kind.RETURNED and event.from_status in (DeviceStatus.LOST, DeviceStatus.STOLEN):
        found = event.from_status == DeviceStatus.LOST
        if event.to_status == DeviceStatus.IN_STOCK:
            text = _("Found and put back in stock") if found else _("Recovered after it was stolen and put back in stock")
        else:
            text = _("Found again") if found else _("Recovered after it was stolen")
    elif getattr(event, "family_owned", False) and event.kind in FAMILY_WORDS:
        text = FAMILY_WORDS[event.kind]
    elif event.kind == kind.HANDED_OVER:
        text = _("Handed over to the family on %(date)s")
    elif event.kind == kind.OWNERSHIP_TRANSFERRED:
        text = _("Ownership passed to the family")
    elif event.kind in (kind.RETURNED, kind.FAULT_REPORTED) and note:
        text, with_note = (_("Returned: %(note)s") if event.kind == kind.RETURNED else _("Fault reported: %(note)s")), True
    elif event.kind == kind.NOTE and note:
        text, with_note = "%(note)s", True
    else:
        text = STORY_WORDS.get(event.kind) or event.get_kind_display()
    sentence = str(text) % parts
    if event.actor_id:
        # Translators: a custody-log entry and the person who recorded it, e.g. "Put in stock by Sam Officer".
        sentence = _("%(event)s by %(person)s") % {"event": sentence, "person": str(event.actor)}
    return sentence, with_note


#: notes written before 1 December 2026, when an allocation's events were noted "Allocation 42
#: planned" (a database number, not the story): the reason is kept, the rest said by the entry
LEGACY_NOTE = re.compile(r"^Allocation \d+(?: planned| handed over| cancelled|: ownership transferred to the family| returned: (?P<returned>.*)|: device replaced \((?P<replaced>.*)\))$", re.S)


def _story_note(event):
    note = event.note.strip()
    found = LEGACY_NOTE.match(note) if event.allocation_id else None
    if found:
        return (found.group("returned") or found.group("replaced") or "").strip()
    return note


def _stocked_words(event):
    """What an entry moving the device into stock says, from where it came and whose it was."""
    if getattr(event, "family_owned", False):
        # Only the council's devices are "put in stock": the family's is taken back from them.
        return _("Taken back from the family into the council's stock")
    if event.from_status == DeviceStatus.RETURNED:
        return _("Back in stock after its return")
    if event.from_status == DeviceStatus.REPLACED:
        return _("Back in stock after it was replaced")
    if event.from_status == DeviceStatus.ALLOCATED:
        return _("Back in stock: its allocation was cancelled")
    return STORY_WORDS[DeviceEvent.Kind.STOCKED]


#: A repair (or a fault resolved without one: the second of each pair) by where the device went.
REPAIRED_WORDS = {
    DeviceStatus.IN_STOCK: (gettext_lazy("Repaired and back in stock"), gettext_lazy("Fault resolved: back in stock")),
    DeviceStatus.ALLOCATED: (gettext_lazy("Repaired: allocated to a child again"), gettext_lazy("Fault resolved: allocated to a child again")),
    DeviceStatus.HANDED_OVER: (gettext_lazy("Repaired and back with the child's family"), gettext_lazy("Fault resolved: back with the child's family")),
    DeviceStatus.OWNERSHIP_TRANSFERRED: (gettext_lazy("Repaired and back with the family, who own it"), gettext_lazy("Fault resolved: the family, who own it, keep using it")),
}

#: Entries about a device its family owns, where the plain words would suggest the council's.
FAMILY_WORDS = {
    DeviceEvent.Kind.IN_REPAIR: gettext_lazy("Sent for repair on the family's behalf"),
    DeviceEvent.Kind.LOST: gettext_lazy("Reported lost (the family's own device)"),
    DeviceEvent.Kind.STOLEN: gettext_lazy("Reported stolen (the family's own device)"),
    DeviceEvent.Kind.WRITTEN_OFF: gettext_lazy("Written off (the family's own device)"),
    DeviceEvent.Kind.REPLACED: gettext_lazy("Replaced: the family received another device"),
}


#: custody-log entries told without any detail
STORY_WORDS = {
    DeviceEvent.Kind.STOCKED: gettext_lazy("Put in stock"),
    DeviceEvent.Kind.ALLOCATED: gettext_lazy("Allocated to a child"),
    DeviceEvent.Kind.FAULT_REPORTED: gettext_lazy("Fault reported"),
    DeviceEvent.Kind.IN_REPAIR: gettext_lazy("Sent for repair"),
    DeviceEvent.Kind.REPAIRED: gettext_lazy("Repaired"),
    DeviceEvent.Kind.REPLACED: gettext_lazy("Replaced by another device"),
    DeviceEvent.Kind.RETURNED: gettext_lazy("Returned"),
    DeviceEvent.Kind.LOST: gettext_lazy("Reported lost"),
    DeviceEvent.Kind.STOLEN: gettext_lazy("Reported stolen"),
    DeviceEvent.Kind.WRITTEN_OFF: gettext_lazy("Written off"),
}


class CliffEdgeView(RoleRequiredMixin, LaChoiceMixin, TemplateView):
    """The three-year horizon for one LA: devices losing cover per month, gaps and their cost;
    for users who see several LAs, a summary row per LA too. Registered figures
    (``reports.definitions``), small numbers hidden by the one policy."""

    allowed_roles = EVIDENCE_ROLES
    template_name = "devices/cliff_edge.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        las = self.visible_las()
        la = self.chosen_la(las)
        user = self.request.user
        summary = total = None
        horizons = {}
        if len(las) > 1:
            # One pass of the cliff edge for every LA: the table of all of them and the chosen one.
            horizons = cliff_edge(today, la_ids=[item.pk for item in las])
            summary, total = published.cover_by_la(user, [item.pk for item in las], today, horizons=horizons)
        cover = months = plan_split = plan_months = None
        if la is not None:
            found = horizons.get(la.pk) if horizons else la_horizon(la, today)
            facts = definitions.Facts(definitions.Scope.for_la(la), today, horizon=definitions.as_horizon(found, today))
            cover = published.la_cover(facts, user)
            months = [(m, cover[f"m{i}"]) for i, m in enumerate(facts.horizon.months)]
            # --- connection plans: the data gap split into "with a plan" and "no plan"
            from connectivity import plan_gap

            plan_split, plan_months = plan_gap.published(facts, user)
        peak = max([n for _m, n in months or [] if isinstance(n, int)] or [0])
        context.update(
            title=_("Three-year cover: the cliff edge"),
            la=la,
            las=las if len(las) > 1 else None,
            cover=cover,
            months=months,
            summary=summary,
            total=total,
            suppressed=la is not None and hides_small_numbers(user, [la.pk]),
            peak=peak,
            related=related_pages(self.request.user),
            plan_split=plan_split,
            plan_months=plan_months,
            plan_peak=max([a + b for _m, a, b in plan_months or [] if isinstance(a, int) and isinstance(b, int)] or [0]),
        )
        return context


class LicenceUploadView(RoleRequiredMixin, RedirectView):
    """Licence files go through the shared import pages (kind ``licences``)."""

    allowed_roles = UPLOAD_ROLES

    def get_redirect_url(self, *args, **kwargs):
        return reverse("core:import_upload") + "?kind=licences"


# --- labels ------------------------------------------------------------------------------------

LABEL_ROLES = ("council_officer", "school_staff")


def _label_devices(user, params):
    """The devices to label: ``?device=<pk>`` (repeatable) or the device list's filters."""
    ids = params.getlist("device")
    if ids:
        if not all(i.isdigit() and len(i) < 12 for i in ids):
            return None
        return Device.objects.visible_to(user).filter(pk__in=[int(i) for i in ids])
    filterset = DeviceFilterSet(params, queryset=Device.objects.visible_to(user), user=user)
    return filterset.qs if filterset.is_valid() else None


class DeviceLabelsView(RoleRequiredMixin, TemplateView):
    """Label sheets for the devices the list's filters (or ``?device=``) select: a page saying how
    many labels, on which layout, then the PDF (``?layout=21&download=1``)."""

    allowed_roles = LABEL_ROLES
    template_name = "devices/labels.html"

    def get(self, request, *args, **kwargs):
        from devices import labels

        params = request.GET.copy()
        layout_code = params.pop("layout", [labels.DEFAULT_LAYOUT])[-1]
        download = params.pop("download", [""])[-1] == "1"
        layout = labels.LAYOUTS.get(layout_code)
        devices = _label_devices(request.user, params)
        count = devices.count() if devices is not None else 0
        error = ""
        if devices is None:
            error = _("These filters are not valid: go back to the device list and choose again.")
        elif count == 0:
            error = _("No devices match these filters.")
        elif count > labels.MAX_LABELS:
            error = _("%(count)s devices match: print at most %(max)s labels at a time. Filter the list further, for example by school or delivery.") % {
                "count": f"{count:,}", "max": f"{labels.MAX_LABELS:,}"}
        elif layout is None:
            error = _("Choose one of the label layouts.")
        if download and not error:
            pdf = labels.label_sheet_pdf(labels.label_rows(devices), layout)
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="device-labels-{layout.code}.pdf"'
            return response
        context = self.get_context_data(
            count=count, error=error, layouts=list(labels.LAYOUTS.values()), layout=layout_code,
            hidden=[(key, value) for key in params for value in params.getlist(key) if key not in ("page", "per_page", "sort", "_export")],
            sheets=-(-count // layout.per_sheet) if layout and count else 0, title=_("Print device labels"),
        )
        return self.render_to_response(context, status=400 if devices is None else 200)


class DeviceCodeView(View):
    """What a label's QR code opens: the device's page for staff who may see it, and for anyone
    else the family help form with the serial filled in (the same answer whether or not the
    serial exists, so a code tells no one what we hold)."""

    model = Device

    def get(self, request, serial):
        from urllib.parse import urlencode

        serial = serial.strip().upper()[:60]
        user = request.user
        if user.is_authenticated and (user.is_superuser or user.role in DEVICE_ROLES):
            device = Device.objects.visible_to(user).filter(serial=serial).only("pk").first()
            if device is not None:
                return redirect(device.get_absolute_url())
        return redirect(reverse("support:help") + "?" + urlencode({"serial": serial}))


# --- intake without a manifest ---------------------------------------------------------------

INTAKE_ROLES = ("council_officer",)


def _posted_rows(data):
    """The rows a scan-in page carries in its form (``r-<i>-<column>``), in order, bounded."""
    rows = []
    for i in range(services.INTAKE_MAX_ROWS + 1):
        if f"r-{i}-serial" not in data:
            break
        rows.append({c: data.get(f"r-{i}-{c}", "")[:100] for c in services.INTAKE_COLUMNS})
    return rows


class DeviceAddView(RoleRequiredMixin, View):
    """Add one device by hand: its details and its delivery on one page, checked and saved by
    the scan-in page's service (``services.take_in_devices``: the delivery import's own checks
    and writes), then the device's page."""

    allowed_roles = INTAKE_ROLES
    template_name = "core/object_form.html"

    def get(self, request):
        return self.render(request, DeviceAddForm(initial={"kind": DeviceKind.LAPTOP, "delivered_on": timezone.localdate()}))

    def post(self, request):
        from core.imports import parsers
        from devices.imports import SPEC

        form = DeviceAddForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        data = form.cleaned_data
        try:
            serial = parsers.serial(data["serial"])
        except parsers.ParseError as exc:
            form.add_error("serial", str(exc))
            return self.render(request, form)
        row = {**{c: data.get(c) or "" for c in services.INTAKE_COLUMNS}, "serial": serial}
        ctx = services.take_in_devices(
            local_authority=request.user.local_authority, by=request.user, rows=[row], delivered_on=data["delivered_on"],
            supplier=data.get("supplier") or "", order_reference=data.get("order_reference") or "",
        )
        if ctx.errors:
            by_label = {str(SPEC.field(name).label): name for name in (*services.INTAKE_COLUMNS, "delivered_on", "supplier", "order_reference")}
            for error in ctx.errors:
                name = by_label.get(str(error.get("column") or ""))
                form.add_error(name if name in form.fields else None, error["message"])
            return self.render(request, form)
        device = Device.objects.visible_to(request.user).get(serial=serial)
        messages.success(request, _("%(serial)s taken in.") % {"serial": device.serial})
        return redirect(device.get_absolute_url())

    def render(self, request, form):
        return render(request, self.template_name, {
            "title": _("Add a device"), "form": form, "submit_label": _("Add the device"),
            "intro": _("For one device with no supplier manifest. For a box of them, scan them in as a delivery."),
        })


class ScanInView(RoleRequiredMixin, View):
    """Take in a delivery without a manifest: each serial scanned (a keyboard-wedge scanner types
    it and presses Enter) or typed adds a row, kind, make and model carried over; then the rows
    are checked by the delivery import's own checks, shown to check, and saved as one delivery.
    The rows travel in the form, so the page works without JavaScript; with it, a phone or
    tablet whose browser can read barcodes gets a camera button."""

    allowed_roles = INTAKE_ROLES
    template_name = "devices/scan_in.html"

    def get(self, request):
        details = DeliveryDetailsForm(initial={"delivered_on": timezone.localdate()})
        return self.render(request, [], details, ScanForm(initial={"kind": DeviceKind.LAPTOP}))

    def post(self, request):
        from core.imports import parsers

        data = request.POST
        rows = _posted_rows(data)
        details = DeliveryDetailsForm(data)
        scan = ScanForm(data)
        carry = {k: data.get(k, "") for k in ("kind", "make", "model", "network")}
        errors, confirm = [], False
        if "remove" in data:
            index = data.get("remove", "")
            if index.isdigit() and int(index) < len(rows):
                removed = rows.pop(int(index))
                messages.info(request, _("Removed %(serial)s.") % {"serial": removed["serial"]})
            scan = ScanForm(initial=carry)
        elif data.get("action") == "edit":
            scan = ScanForm(initial=carry)
        elif data.get("action") in ("check", "save"):
            if not rows:
                errors.append(_("Scan or type at least one serial number first."))
            elif details.is_valid():
                ctx = services.take_in_devices(
                    local_authority=request.user.local_authority, by=request.user, rows=rows,
                    dry_run=data.get("action") == "check", **details.cleaned_data,
                )
                if ctx.errors:
                    errors = [self.row_error(e) for e in ctx.errors]
                elif data.get("action") == "check":
                    confirm = True
                else:
                    batch = DeliveryBatch.objects.filter(local_authority=request.user.local_authority, devices__serial=rows[0]["serial"].strip().upper()).first()
                    messages.success(request, ngettext("%(n)s device taken in.", "%(n)s devices taken in.", len(rows)) % {"n": len(rows)})
                    return redirect(reverse("devices:device_list") + (f"?batch={batch.pk}" if batch else ""))
            scan = ScanForm(initial=carry)
        else:  # "add": also what Enter in the serial box does
            if scan.is_valid():
                try:
                    serial = parsers.serial(scan.cleaned_data["serial"])
                except parsers.ParseError as exc:
                    serial = ""
                    scan.add_error("serial", str(exc))
                seen = {row["serial"].strip().upper(): n for n, row in enumerate(rows, 1)}
                if scan.errors:
                    pass
                elif not serial:
                    scan.add_error("serial", _("Scan or type the serial number."))
                elif serial in seen:
                    scan.add_error("serial", _("%(serial)s is already on this list (row %(row)s): it was scanned twice.") % {"serial": serial, "row": seen[serial]})
                elif len(rows) >= services.INTAKE_MAX_ROWS:
                    scan.add_error("serial", _("Take in at most %(max)s devices at a time: check and save these first.") % {"max": services.INTAKE_MAX_ROWS})
                else:
                    rows.append({**{c: scan.cleaned_data.get(c, "") for c in services.INTAKE_COLUMNS}, "serial": serial})
                    scan = ScanForm(initial=carry)
        return self.render(request, rows, details, scan, errors=errors, confirm=confirm)

    @staticmethod
    def row_error(error):
        if error.get("row"):
            return _("Row %(row)s, %(column)s: %(message)s") % error
        return error["message"]

    def render(self, request, rows, details, scan, *, errors=(), confirm=False):
        kinds = dict(DeviceKind.choices)
        shown = [{**row, "n": n, "kind_label": kinds.get(row["kind"], row["kind"])} for n, row in enumerate(rows)]
        return render(request, self.template_name, {
            "title": _("Check the devices before saving them") if confirm else _("Scan in a delivery"),
            "rows": shown, "details": details, "scan": scan, "errors": errors, "confirm": confirm,
            "max_rows": services.INTAKE_MAX_ROWS,
        })
