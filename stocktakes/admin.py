"""Admin pages for stocktakes: read for audit; writes go through stocktakes.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stocktakes.models import Stocktake, StocktakeItem, StocktakeScan


@admin.register(Stocktake)
class StocktakeAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "local_authority", "school", "status", "started_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("local_authority", "school")
    raw_id_fields = ("local_authority", "school", "started_by", "closed_by")
    readonly_fields = ("status", "closed_at", "closed_by")
    show_full_result_count = False


@admin.register(StocktakeItem)
class StocktakeItemAdmin(admin.ModelAdmin):
    list_display = ("code", "stocktake", "expected", "found_at", "scans")
    list_filter = ("expected",)
    search_fields = ("=code",)
    raw_id_fields = ("stocktake", "device", "found_by")
    show_full_result_count = False


@admin.register(StocktakeScan)
class StocktakeScanAdmin(admin.ModelAdmin):
    list_display = ("typed", "result", "at", "stocktake")
    raw_id_fields = ("stocktake", "item", "by")
    show_full_result_count = False
