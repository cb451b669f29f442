from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from support.models import AgentLanguage, AgentProfile, CannedResponse, CannedResponseText, SafeguardingAccessLog, Ticket


def _pk(object_id):
    try:
        return int(object_id)
    except (TypeError, ValueError):
        return None


def log_safeguarding_admin_read(request, ticket):
    """Log that ``request.user`` opened ``ticket`` (if any, and if a safeguarding concern) in the admin."""
    from support.services import record_safeguarding_access

    if ticket is not None and request.user.is_authenticated:
        record_safeguarding_access(ticket=ticket, user=request.user, action=SafeguardingAccessLog.Action.ADMIN_VIEWED)


class ScopedTicketAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "status", "priority", "category", "language", "local_authority", "created_at")
    list_filter = ("status", "priority", "category", "language")
    search_fields = ("reference",)
    raw_id_fields = ("school", "child", "device", "requester_user", "assignee", "suggested_agent", "local_authority")
    readonly_fields = ("reference", "access_token_hash")

    def get_queryset(self, request):
        # The admin obeys the same rule as every page: safeguarding tickets for leads only.
        return Ticket.objects.visible_to(request.user)

    # Every admin page that shows a safeguarding ticket's content (its form, its history and
    # each historical version) is logged like the ticket page; the list shows no content.
    def _log_read(self, request, object_id):
        log_safeguarding_admin_read(request, self.get_queryset(request).filter(pk=_pk(object_id)).first())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_read(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_read(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_read(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class CannedResponseTextInline(admin.TabularInline):
    model = CannedResponseText
    extra = 1


@admin.register(CannedResponse)
class CannedResponseAdmin(SimpleHistoryAdmin):
    list_display = ("title", "category", "is_active")
    inlines = [CannedResponseTextInline]


class AgentLanguageInline(admin.TabularInline):
    model = AgentLanguage
    extra = 1


@admin.register(AgentProfile)
class AgentProfileAdmin(SimpleHistoryAdmin):
    inlines = [AgentLanguageInline]
    raw_id_fields = ("user",)


@admin.register(SafeguardingAccessLog)
class SafeguardingAccessLogAdmin(admin.ModelAdmin):
    list_display = ("ticket", "user", "action", "at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ticket__in=Ticket.objects.visible_to(request.user).values("pk"))


admin.site.register(Ticket, ScopedTicketAdmin)
