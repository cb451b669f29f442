"""Admin pages for moves between councils: read for audit; writes go through transfers.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from transfers.models import ChildTransfer


@admin.register(ChildTransfer)
class ChildTransferAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "from_reference", "from_local_authority", "to_local_authority", "status", "proposed_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("from_local_authority", "to_local_authority")
    raw_id_fields = ("child", "from_local_authority", "to_local_authority", "proposed_by", "decided_by")
    readonly_fields = ("status", "devices_moved", "devices_kept", "tickets_moved", "decided_at", "decided_by")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
