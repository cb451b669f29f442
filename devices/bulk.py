"""The device list's and the alert list's bulk actions (``core.bulk``), declared once.

``DEVICE_ACTIONS`` is the list the device list offers (tick boxes, or every device matching the
filter). Each action calls the same service as the single action:

* put in stock: ``services.put_in_stock`` (set-wise ``transition_many`` under the device page's
  rules, refusing a device whose status forbids the move, with the reason);
* move to a school: ``services.move_to_school`` (only schools in the user's scope are offered);
* print labels: opens the existing label page (``devices:labels``) for the chosen devices.

**Extension point: recall campaigns.** Another app adds its action by appending a ``BulkAction``
to ``DEVICE_ACTIONS`` (``register_device_action``), for example from its ``AppConfig.ready``::

    from core.bulk import BulkAction
    from devices.bulk import register_device_action

    register_device_action(BulkAction(
        "campaign", _("Add to a recall campaign"), form_class=CampaignChoiceForm,  # a form taking user=
        run=lambda *, rows, by, data: campaigns.services.add_devices(campaign=data["campaign"], devices=rows, by=by),
        roles=("council_officer",),
    ))

``run`` must return an object with ``done`` and ``refused`` ((device, reason) pairs), like
``core.bulk.Outcome``; ``preview(rows, data)`` is optional. The view, the check page, the result
page, the limits and the access rules need no change.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from core.bulk import BulkAction, BulkActionView, Outcome
from core.navigation_roles import DEVICE_ROLES
from devices import services
from devices.filters import AlertFilterSet, DeviceFilterSet
from devices.models import Alert, Device

#: Who prints labels (as ``devices.views.LABEL_ROLES``).
LABEL_ROLES = ("council_officer", "school_staff")


class MoveSchoolForm(forms.Form):
    school = forms.ModelChoiceField(label=_("Move to which school?"), queryset=School.objects.none(),
                                    error_messages={"required": _("Choose a school."), "invalid_choice": _("Choose one of the schools listed.")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Open schools in the user's scope (the service also refuses a school of another LA than the device's).
        self.fields["school"].queryset = School.objects.visible_to(user).filter(status=School.Status.OPEN).order_by("name")


def _stock_preview(rows, data):
    counts = rows.order_by().values("status").annotate(n=Count("pk"))
    return [(services.page_refusal(c["status"], services.S.IN_STOCK), c["n"]) for c in counts if services.page_refusal(c["status"], services.S.IN_STOCK)]


def _school_preview(rows, data):
    school = (data or {}).get("school")
    groups = rows.order_by().values("status", "school_id", "local_authority_id").annotate(n=Count("pk"))
    found = {}
    for g in groups:
        device = SimpleNamespace(status=g["status"], school_id=g["school_id"], local_authority_id=g["local_authority_id"])
        if school is None and g["status"] not in services.SCHOOL_FIXED:
            continue  # the school is chosen on this page: the rest depends on it
        reason = services.school_refusal(device, school)
        if reason:
            found[reason] = found.get(reason, 0) + g["n"]
    return list(found.items())


def _labels_url(request, form, rows):
    if form.is_matching():
        return reverse("devices:labels") + "?" + form.filter_data().urlencode()
    return reverse("devices:labels") + "?" + urlencode([("device", pk) for pk in rows.order_by("pk").values_list("pk", flat=True)])


DEVICE_ACTIONS = [
    BulkAction("stock", _("Put in stock"), roles=services.LIFECYCLE_ROLES, preview=_stock_preview,
               run=lambda *, rows, by, data: services.put_in_stock(devices=rows, by=by)),
    BulkAction("school", _("Move to a school"), roles=services.LIFECYCLE_ROLES, preview=_school_preview, form_class=MoveSchoolForm,
               run=lambda *, rows, by, data: services.move_to_school(devices=rows, school=data["school"], by=by)),
    BulkAction("labels", _("Print labels"), roles=LABEL_ROLES, redirect=_labels_url),
]


def register_device_action(action):
    """Offer ``action`` on the device list (the extension point above); idempotent by name."""
    if all(a.name != action.name for a in DEVICE_ACTIONS):
        DEVICE_ACTIONS.append(action)


class DeviceBulkView(BulkActionView):
    """Check (GET) and do (POST) a bulk action on devices chosen on the device list."""

    model = Device
    filterset_class = DeviceFilterSet
    actions = DEVICE_ACTIONS
    allowed_roles = DEVICE_ROLES
    list_url_name = "devices:device_list"
    noun = _("devices")

    def row_label(self, row):
        return f"{row.serial} ({row.get_status_display()})"


# --- alerts


def _acknowledge(*, rows, by, data):
    """``services.acknowledge_alerts`` on the chosen alerts (the "acknowledge all" service); those
    acknowledged before are reported as refused, with the reason."""
    rows = list(rows.select_related("device").order_by("pk"))
    before = [a for a in rows if a.acknowledged_at is not None]
    services.acknowledge_alerts(alerts=Alert.objects.filter(pk__in=[a.pk for a in rows]), by=by)
    reason = str(_("It was already acknowledged."))
    return Outcome(done=[a for a in rows if a.acknowledged_at is None], refused=[(a, reason) for a in before])


def _acknowledge_preview(rows, data):
    return [(str(_("It was already acknowledged.")), rows.filter(acknowledged_at__isnull=False).count())]


ACKNOWLEDGE_ROLES = ("council_officer", "school_staff")
ALERT_ACTIONS = [
    BulkAction("acknowledge", _("Acknowledge"), roles=ACKNOWLEDGE_ROLES, preview=_acknowledge_preview, run=_acknowledge),
]


class AlertBulkView(BulkActionView):
    model = Alert
    filterset_class = AlertFilterSet
    actions = ALERT_ACTIONS
    allowed_roles = DEVICE_ROLES
    list_url_name = "devices:alert_list"
    noun = _("alerts")

    def row_label(self, row):
        return row.message[:120] or str(row)

    def row_url(self, row):
        return ""
