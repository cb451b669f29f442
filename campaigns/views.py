"""Campaign pages: thin views on the core base views; each write calls one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from campaigns import services
from campaigns.filters import CampaignDeviceFilterSet, CampaignFilterSet
from campaigns.forms import CampaignForm, MoveForm, SendForm
from campaigns.models import Campaign, CampaignDevice, ItemStatus
from campaigns.tables import CampaignDeviceTable, CampaignTable
from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin

#: Who sees campaigns (in their scope): officers run them, school staff update their school's
#: devices, CIOs read.
VIEW_ROLES = ("council_officer", "school_staff", "cio")
RUN_ROLES = ("council_officer",)
MOVE_ROLES = ("council_officer", "school_staff")


def _can(user, roles):
    return user.is_superuser or user.role == "admin" or user.role in roles


def progress(items):
    """Counts by status per school and in all, from one grouped query over ``items``."""
    statuses = ItemStatus.values
    rows = {}
    total = dict.fromkeys(statuses, 0)
    for school, status, n in items.values_list("device__school__name", "status").annotate(n=Count("pk")).order_by():
        row = rows.setdefault(school or "", dict.fromkeys(statuses, 0))
        row[status] += n
        total[status] += n
    schools = [{"school": name, "counts": [counts[s] for s in statuses], "total": sum(counts.values())}
               for name, counts in sorted(rows.items(), key=lambda kv: (kv[0] == "", kv[0]))]
    return {"statuses": ItemStatus.choices, "schools": schools, "total": [total[s] for s in statuses], "all": sum(total.values())}


class CampaignListView(ObjectListView):
    model = Campaign
    table_class = CampaignTable
    filterset_class = CampaignFilterSet
    allowed_roles = VIEW_ROLES
    export_name = "campaigns"
    title = gettext_lazy("Recall and fix-up campaigns")

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority").with_progress()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if _can(self.request.user, RUN_ROLES):
            context["create_url_name"] = "campaigns:campaign_create"
        return context


class CampaignCreateView(RoleRequiredMixin, View):
    """The form; then a check page saying how many devices (per school) it takes; then the
    campaign is created (``services.create_campaign``)."""

    allowed_roles = RUN_ROLES

    def get(self, request):
        return self._form(CampaignForm(user=request.user))

    def _form(self, form):
        return render(self.request, "campaigns/campaign_form.html", {"form": form, "title": _("Start a campaign"), "submit_label": _("Continue"),
                                                                 "intro": _("Choose the devices by one or more of model, delivery batch, supplier and licence product. You will see how many devices that is, per school, before the campaign starts.")})

    def post(self, request):
        form = CampaignForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._form(form)
        la = form.chosen_la()
        if request.POST.get("confirm") == "1":
            try:
                campaign, result = services.create_campaign(
                    local_authority=la, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                    instructions=form.cleaned_data["instructions"], criteria=form.criteria(), by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                return self._form(form)
            messages.success(request, _("Campaign started with %(added)s devices; %(refused)s could not be added.") % {
                "added": len(result.added), "refused": len(result.refused)})
            return redirect(campaign.get_absolute_url())
        from devices.models import INACTIVE_STATUSES, Device

        matching = services.matching_devices(Device.objects.visible_to(request.user).filter(local_authority=la), form.criteria())
        per_school = list(matching.exclude(status__in=INACTIVE_STATUSES).values_list("school__name").annotate(n=Count("pk")).order_by("school__name"))
        context = {
            "form": form, "title": _("Check the campaign"), "per_school": per_school,
            "n": sum(n for _s, n in per_school), "n_inactive": matching.filter(status__in=INACTIVE_STATUSES).count(),
            "la": la, "kind_label": dict(Campaign.Kind.choices)[form.cleaned_data["kind"]],
        }
        return render(request, "campaigns/campaign_check.html", context)


class CampaignDetailView(ObjectListView):
    """A campaign: its progress per school and in all, and a table of its devices (filter by
    status and school; CSV and Excel)."""

    model = CampaignDevice
    table_class = CampaignDeviceTable
    filterset_class = CampaignDeviceFilterSet
    allowed_roles = VIEW_ROLES
    template_name = "campaigns/campaign_detail.html"

    def get_campaign(self):
        if not hasattr(self, "campaign"):
            self.campaign = get_object_or_404(Campaign.objects.visible_to(self.request.user).select_related("local_authority"),
                                              pk=self.kwargs["campaign_pk"])
        return self.campaign

    def get_queryset(self):
        return super().get_queryset().filter(campaign=self.get_campaign()).select_related("device", "device__school")

    def get(self, request, *args, **kwargs):
        self.get_campaign()
        self.export_name = f"campaign-{self.campaign.pk}"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, user = self.campaign, self.request.user
        context.update(
            campaign=campaign, title=campaign.title,
            progress=progress(CampaignDevice.objects.visible_to(user).filter(campaign=campaign)),
            can_run=campaign.is_open and _can(user, RUN_ROLES),
        )
        return context


class CampaignSendView(RoleRequiredMixin, View):
    """Send the campaign's notice to the families of its devices still "to do": a confirmation
    page (how many, which channel), then ``services.send_notices`` and what it sent and refused."""

    model = Campaign
    allowed_roles = RUN_ROLES

    def _campaign(self, pk):
        return get_object_or_404(Campaign.objects.visible_to(self.request.user), pk=pk)

    def _context(self, campaign, form):
        todo = CampaignDevice.objects.visible_to(self.request.user).filter(campaign=campaign, status=ItemStatus.TO_DO).count()
        return {"campaign": campaign, "form": form, "todo": todo, "title": _("Send the notice to families")}

    def get(self, request, pk):
        campaign = self._campaign(pk)
        return render(request, "campaigns/campaign_send.html", self._context(campaign, SendForm()))

    def post(self, request, pk):
        campaign = self._campaign(pk)
        form = SendForm(request.POST)
        if not form.is_valid():
            return render(request, "campaigns/campaign_send.html", self._context(campaign, form))
        try:
            result = services.queue_notices(campaign=campaign, channel=form.cleaned_data["channel"], by=request.user,
                                            items=CampaignDevice.objects.visible_to(request.user))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(campaign.get_absolute_url())
        if result is None:
            messages.success(request, _("The notices are being sent in the background. Each device moves to “Contacted” as its family's message is queued."))
            return redirect(campaign.get_absolute_url())
        context = {"campaign": campaign, "result": result,
                   "title": _("%(sent)s sent, %(refused)s not sent") % {"sent": len(result.sent), "refused": len(result.refused)}}
        return render(request, "campaigns/campaign_send_result.html", context)


class CampaignCloseView(RoleRequiredMixin, View):
    """Close a campaign, after a confirmation page (it cannot be reopened)."""

    model = Campaign
    allowed_roles = RUN_ROLES

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
        if not campaign.is_open:
            return redirect(campaign.get_absolute_url())
        return render(request, "campaigns/campaign_close.html", {"campaign": campaign, "title": _("Close the campaign")})

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
        try:
            services.close_campaign(campaign=campaign, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The campaign is closed."))
        return redirect(campaign.get_absolute_url())


class CampaignDeviceDetailView(ObjectDetailView):
    """One device in a campaign: its status, its story and the move form."""

    model = CampaignDevice
    allowed_roles = VIEW_ROLES
    template_name = "campaigns/item_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("campaign", "device", "device__school")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        options = [(s, services.MOVE_LABELS[s]) for s in services.allowed_moves(item.status)]
        can_move = item.campaign.is_open and options and _can(user, MOVE_ROLES)
        context.update(
            title=_("%(serial)s in %(campaign)s") % {"serial": item.device.serial, "campaign": item.campaign.title},
            events=list(item.events.select_related("actor", "message")), statuses=ItemStatus.choices, move_form=MoveForm(options=options) if can_move else None,
        )
        return context


class CampaignDeviceMoveView(RoleRequiredMixin, View):
    """POST a status change from the device's campaign page; a refused move is a message there."""

    model = CampaignDevice
    allowed_roles = MOVE_ROLES

    def get(self, request, pk):
        return redirect(get_object_or_404(CampaignDevice.objects.visible_to(request.user), pk=pk).get_absolute_url())

    def post(self, request, pk):
        item = get_object_or_404(CampaignDevice.objects.visible_to(request.user).select_related("campaign"), pk=pk)
        options = [(s, services.MOVE_LABELS[s]) for s in services.allowed_moves(item.status)]
        form = MoveForm(request.POST, options=options)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(item.get_absolute_url())
        try:
            item = services.move(item=item, to_status=form.cleaned_data["to_status"], by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The device is now “%(status)s”.") % {"status": item.get_status_display()})
        return redirect(item.get_absolute_url())


class CampaignLetterView(ObjectDetailView):
    """A printable letter to the family of a device in a campaign, in their language with
    English beside it (right to left where needed), for schools that hand letters out."""

    model = CampaignDevice
    allowed_roles = MOVE_ROLES + ("cio",)
    template_name = "campaigns/letter.html"

    def get_queryset(self):
        return super().get_queryset().select_related("campaign", "campaign__local_authority", "device")

    def get_context_data(self, **kwargs):
        from django.conf import settings
        from django.utils.html import format_html

        from allocations.letters import letter_sections
        from allocations.models import Allocation

        context = super().get_context_data(**kwargs)
        allocation = Allocation.objects.active().filter(device=self.object.device).select_related("child").first()
        if allocation is None or allocation.child.anonymised_at:
            raise Http404
        context.update(
            item=self.object, campaign=self.object.campaign, device=self.object.device, child=allocation.child,
            sections=letter_sections(allocation.child.preferred_language), council=self.object.campaign.local_authority.name,
            support_phone=format_html('<bdi dir="ltr">{}</bdi>', settings.SUPPORT_PHONE),
            back_url=reverse("campaigns:item_detail", args=[self.object.pk]),
        )
        return context
