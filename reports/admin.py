from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import ApiToken, NeedEstimate


@admin.register(NeedEstimate)
class NeedEstimateAdmin(SimpleHistoryAdmin):
    list_display = ("school", "kind", "count", "estimated_on")
    list_filter = ("kind",)
    raw_id_fields = ("school",)

    def get_queryset(self, request):
        return NeedEstimate.objects.visible_to(request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "prefix", "created_at", "revoked_at", "last_used_at")
    list_filter = ("kind",)
    exclude = ("token_hash",)
    readonly_fields = ("prefix",)

    def get_queryset(self, request):
        return ApiToken.objects.visible_to(request.user)
