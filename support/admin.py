from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from support.models import AgentLanguage, AgentProfile, CannedResponse, CannedResponseText, SafeguardingAccessLog, Ticket


class ScopedTicketAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "status", "priority", "category", "language", "local_authority", "created_at")
    list_filter = ("status", "priority", "category", "language")
    search_fields = ("reference",)
    raw_id_fields = ("school", "child", "device", "requester_user", "assignee", "suggested_agent", "local_authority")
    readonly_fields = ("reference", "access_token_hash")

    def get_queryset(self, request):
        # The admin obeys the same rule as every page: safeguarding tickets for leads only.
        return Ticket.objects.visible_to(request.user)


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
