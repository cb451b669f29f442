from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from allocations.models import Allocation, Child, HandoverAcceptance, ReadinessCheck, ReturnInspection


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


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the allocations services: the admin shows, never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandoverAcceptance)
class HandoverAcceptanceAdmin(_ReadOnlyAdmin):
    # The signature image and PDF are not shown here: staff open the PDF from the allocation page.
    list_display = ("allocation", "language", "method", "signed_at", "witnessed_by", "removed_at")
    list_filter = ("method", "language")
    search_fields = ("allocation__device__serial", "allocation__child__reference")
    exclude = ("signature_png", "pdf")
    list_select_related = ("allocation__child", "allocation__device", "witnessed_by")


@admin.register(ReadinessCheck)
class ReadinessCheckAdmin(_ReadOnlyAdmin):
    list_display = ("allocation", "item", "done_by", "done_at")
    list_filter = ("item",)
    search_fields = ("allocation__device__serial",)
    list_select_related = ("allocation__child", "allocation__device", "done_by")


@admin.register(ReturnInspection)
class ReturnInspectionAdmin(_ReadOnlyAdmin):
    list_display = ("allocation", "wipe_method", "wipe_reference", "wiped_by", "recorded_at")
    list_filter = ("wipe_method",)
    search_fields = ("allocation__device__serial", "wipe_reference")
    list_select_related = ("allocation__child", "allocation__device", "wiped_by")
