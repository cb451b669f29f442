from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from messaging.models import InboundMessage, NotifyTemplate, OptOut, OutboundMessage


@admin.register(NotifyTemplate)
class NotifyTemplateAdmin(SimpleHistoryAdmin):
    """Admins keep the Notify template id per message type, channel and language here."""

    list_display = ("template", "channel", "language", "notify_template_id", "updated_at")
    list_filter = ("channel", "language")
    search_fields = ("template",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "template", "language", "status", "driver")
    list_filter = ("status", "channel", "driver")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    raw_id_fields = ("ticket",)

    def get_queryset(self, request):
        return OutboundMessage.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "channel", "outcome")
    list_filter = ("channel", "outcome")
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def get_queryset(self, request):
        return InboundMessage.objects.visible_to(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A family's text about a safeguarding concern is that ticket's content: log the read.
        from support.admin import _pk, log_safeguarding_admin_read

        message = self.get_queryset(request).filter(pk=_pk(object_id)).select_related("ticket").first()
        log_safeguarding_admin_read(request, message.ticket if message else None)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False


admin.site.register(OptOut)
