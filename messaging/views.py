"""Messaging pages: the outbox (admins), messages that did not arrive (agents), one message with
the agent's fallback, messages families sent us, the provider callbacks, and in the demo a page
to play a family texting us.

Callbacks are machine-to-machine: they need the bearer token configured for them (401 without
one, 403 with a wrong one, both logged), take any body without a 500 (400 for one that is not
the JSON expected) and are idempotent.
"""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView

from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin
from messaging import services
from messaging.filters import InboundMessageFilterSet, OutboundMessageFilterSet
from messaging.forms import DemoTextForm, SendAgainForm
from messaging.models import Channel, InboundMessage, OutboundMessage
from messaging.tables import FailedMessageTable, InboundMessageTable, OutboundMessageTable

log = logging.getLogger("messaging")

ADMIN_ROLES = ("admin",)
AGENT_ROLES = ("support_agent", "admin")


def outbox_is_demo():
    return settings.MESSAGING_DRIVERS.get("sms", "outbox") == "outbox"


class OutboxView(ObjectListView):
    """Every message queued to families, with its text exactly as sent (admins)."""

    model = OutboundMessage
    table_class = OutboundMessageTable
    filterset_class = OutboundMessageFilterSet
    allowed_roles = ADMIN_ROLES
    template_name = "messaging/outbox.html"
    title = gettext_lazy("Outbox")
    export_name = "outbox"

    def get_queryset(self):
        return super().get_queryset().select_related("ticket")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_demo"] = outbox_is_demo()
        return context


class FailedMessagesView(ObjectListView):
    """Messages that did not arrive (wrong number, bounced address, opted out, gave up), for
    agents to reach the family another way."""

    model = OutboundMessage
    table_class = FailedMessageTable
    filterset_class = OutboundMessageFilterSet
    allowed_roles = AGENT_ROLES
    template_name = "messaging/failed.html"
    title = gettext_lazy("Messages that did not arrive")
    export_name = "messages-not-arrived"

    def get_queryset(self):
        return super().get_queryset().failed().select_related("ticket")


class MessageDetailView(ObjectDetailView):
    """One message as the family receives it, its history, and the fallback for a failed one."""

    model = OutboundMessage
    allowed_roles = AGENT_ROLES
    template_name = "messaging/message_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("ticket", "sent_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        message = self.object
        context["title"] = _("%(channel)s to %(to)s") % {
            "channel": message.get_channel_display(), "to": message.recipient_display.splitlines()[0] if message.recipient else "—"
        }
        if message.is_failed:
            ticket = message.ticket
            phone = ticket.requester_phone if ticket else ""
            email = ticket.requester_contact_email if ticket else ""
            # Offer the other way the family gave us; a letter when there is none.
            if message.channel != Channel.SMS and phone:
                initial_channel, initial_to = Channel.SMS, phone
            elif message.channel != Channel.EMAIL and email:
                initial_channel, initial_to = Channel.EMAIL, email
            else:
                initial_channel, initial_to = Channel.LETTER, ""
            context["form"] = kwargs.get("form") or SendAgainForm(initial={"channel": initial_channel, "recipient": initial_to})
        return context


class SendAgainView(RoleRequiredMixin, View):
    """POST: send a failed message again by another channel or to a corrected address."""

    model = OutboundMessage
    allowed_roles = AGENT_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        message = get_object_or_404(OutboundMessage.objects.visible_to(request.user), pk=pk)
        form = SendAgainForm(request.POST)
        if form.is_valid():
            try:
                again = services.send_again(
                    message=message, by=request.user, recipient=form.cleaned_data["recipient"], channel=form.cleaned_data["channel"]
                )
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
            else:
                messages.success(request, _("Queued again by %(channel)s.") % {"channel": again.get_channel_display()})
                return redirect(again.get_absolute_url())
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(message.get_absolute_url())


class InboundListView(ObjectListView):
    """Texts and emails families sent us, and what became of each (agents)."""

    model = InboundMessage
    table_class = InboundMessageTable
    filterset_class = InboundMessageFilterSet
    allowed_roles = AGENT_ROLES
    title = gettext_lazy("Messages from families")
    export_name = "messages-from-families"

    def get_queryset(self):
        return super().get_queryset().select_related("ticket")


class DemoTextView(RoleRequiredMixin, FormView):
    """The demo only (texts go to the outbox): type what a family texts to our number, and it
    goes through the same service as Notify's inbound callback."""

    allowed_roles = AGENT_ROLES
    form_class = DemoTextForm
    template_name = "core/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not outbox_is_demo():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("A family texts us (demo)")
        context["intro"] = _("Texts go to the outbox in the demo. Type what a family would text to the support number.")
        return context

    def form_valid(self, form):
        import uuid

        inbound = services.receive_text(
            sender=form.cleaned_data["sender"], body=form.cleaned_data["body"], provider_id=f"demo-{uuid.uuid4()}"
        )
        messages.success(self.request, inbound.get_outcome_display())
        if inbound.ticket_id:
            from support.models import Ticket

            if Ticket.objects.visible_to(self.request.user).filter(pk=inbound.ticket_id).exists():
                return redirect(inbound.ticket.get_absolute_url())
        return redirect(reverse("messaging:inbound"))


# Callbacks ------------------------------------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class CallbackView(View):
    """Base for a provider's callback: bearer token, JSON body, never a 500."""

    http_method_names = ["post"]
    token_setting = ""

    def post(self, request):
        expected = getattr(settings, self.token_setting, "")
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not expected:
            log.warning("messaging: %s refused: no bearer token (from %s)", self.__class__.__name__, request.META.get("REMOTE_ADDR"))
            return JsonResponse({"error": "authentication required"}, status=401)
        if not hmac.compare_digest(header[7:].strip().encode(), expected.encode()):
            log.warning("messaging: %s refused: wrong bearer token (from %s)", self.__class__.__name__, request.META.get("REMOTE_ADDR"))
            return JsonResponse({"error": "forbidden"}, status=403)
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return JsonResponse({"error": "the body must be JSON"}, status=400)
        if not isinstance(payload, dict):
            return JsonResponse({"error": "the body must be a JSON object"}, status=400)
        return self.handle(payload)


def _text(payload, key, limit):
    value = payload.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


class NotifyDeliveryReceiptView(CallbackView):
    """GOV.UK Notify's delivery receipt: where one of our messages got to."""

    token_setting = "NOTIFY_CALLBACK_TOKEN"

    def handle(self, payload):
        status = _text(payload, "status", 40)
        reference, provider_id = _text(payload, "reference", 64), _text(payload, "id", 64)
        if not status or not (reference or provider_id):
            return JsonResponse({"error": "id or reference, and status, are required"}, status=400)
        try:
            message = services.record_delivery_receipt(provider_id=provider_id, reference=reference, status=status)
        except ValidationError:
            return JsonResponse({"error": "unknown status"}, status=400)
        return JsonResponse({"result": "recorded" if message else "unknown message, ignored"})


class NotifyInboundTextView(CallbackView):
    """GOV.UK Notify's received text message: a family's text to our number."""

    token_setting = "NOTIFY_INBOUND_TOKEN"

    def handle(self, payload):
        provider_id, sender = _text(payload, "id", 200), _text(payload, "source_number", 40)
        if not provider_id or not sender:
            return JsonResponse({"error": "id and source_number are required"}, status=400)
        received = parse_datetime(_text(payload, "date_received", 40) or "") if payload.get("date_received") else None
        inbound = services.receive_text(
            sender=sender, body=_text(payload, "message", 10000), provider_id=provider_id,
            received_at=received if received and received.tzinfo else None,
        )
        return JsonResponse({"result": inbound.outcome})
