from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from allocations.models import Allocation, Child


class AllocationInline(admin.TabularInline):
    model = Allocation
    fk_name = "child"
    extra = 0
    fields = ("device", "status", "planned_on", "handed_over_on", "ended_on", "replaces")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "last_name", "first_name", "school", "year_group", "preferred_language", "anonymised_at")
    list_filter = ("local_authority", "eligibility", "needs_laptop", "needs_connectivity", "year_group")
    search_fields = ("reference", "last_name", "first_name")
    raw_id_fields = ("school",)
    list_select_related = ("school",)
    readonly_fields = ("anonymised_at", "created_at", "updated_at")
    inlines = [AllocationInline]


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    """Read-mostly: allocation changes go through the services (custody log), not the admin."""

    list_display = ("id", "child", "device", "status", "planned_on", "handed_over_on", "ended_on")
    list_filter = ("status",)
    search_fields = ("child__reference", "device__serial")
    raw_id_fields = ("child", "device", "replaces", "created_by")
    list_select_related = ("child", "device")
    readonly_fields = ("child", "device", "status", "planned_on", "handed_over_on", "ended_on", "replaces", "created_by", "created_at")

    def has_add_permission(self, request):
        return False
