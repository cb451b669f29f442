"""Admin pages for the connectivity models. Foreign keys are raw IDs: there may be millions of rows."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from connectivity.models import DataPlan, NetworkOperator, NetworkRequest, NetworkRequestEvent, Sim, UsageReading


@admin.register(NetworkOperator)
class NetworkOperatorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Sim)
class SimAdmin(SimpleHistoryAdmin):
    list_display = ("iccid", "msisdn", "network", "status", "local_authority")
    list_filter = ("status", "network")
    list_select_related = ("network", "local_authority")
    search_fields = ("=iccid", "=msisdn")
    raw_id_fields = ("device", "local_authority")
    show_full_result_count = False


@admin.register(DataPlan)
class DataPlanAdmin(SimpleHistoryAdmin):
    list_display = ("sim", "allowance_mb", "start", "end", "payer")
    list_select_related = ("sim",)
    search_fields = ("=sim__iccid",)
    raw_id_fields = ("sim",)
    show_full_result_count = False


@admin.register(UsageReading)
class UsageReadingAdmin(admin.ModelAdmin):
    list_display = ("sim", "period", "granularity", "mb_used", "source")
    list_filter = ("granularity",)
    list_select_related = ("sim",)
    search_fields = ("=sim__iccid",)
    raw_id_fields = ("sim",)
    show_full_result_count = False


@admin.register(NetworkRequest)
class NetworkRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "problem", "network", "local_authority", "changed_at")
    list_filter = ("kind", "status", "network")
    list_select_related = ("network", "local_authority")
    search_fields = ("=sim__iccid", "=msisdn")
    raw_id_fields = ("sim", "local_authority", "school", "child", "requested_by")
    # Status changes go through connectivity.services.move_request, which writes the history.
    readonly_fields = ("status", "problem", "changed_at", "created_at")
    show_full_result_count = False


@admin.register(NetworkRequestEvent)
class NetworkRequestEventAdmin(admin.ModelAdmin):
    list_display = ("request", "from_status", "to_status", "problem", "by_network", "at")
    list_select_related = ("request",)
    raw_id_fields = ("request", "actor")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False


# --- connection plans

from simple_history.admin import SimpleHistoryAdmin  # noqa: E402

from connectivity.models import ConnectionPlan, DataVoucher  # noqa: E402


@admin.register(DataVoucher)
class DataVoucherAdmin(SimpleHistoryAdmin):
    list_display = ("code", "provider", "kind", "expires", "local_authority", "given_to", "given_at")
    list_filter = ("kind", "provider")
    list_select_related = ("local_authority", "given_to")
    search_fields = ("=code",)
    raw_id_fields = ("local_authority", "given_to", "given_by")
    # Giving out goes through connectivity.plans.give_voucher (locked, never twice).
    readonly_fields = ("given_to", "given_at", "given_by")
    show_full_result_count = False


@admin.register(ConnectionPlan)
class ConnectionPlanAdmin(SimpleHistoryAdmin):
    list_display = ("child", "kind", "provider", "outcome", "starts", "ends", "is_current", "chosen_at")
    list_filter = ("kind", "is_current")
    list_select_related = ("child",)
    raw_id_fields = ("child", "voucher", "network_request", "chosen_by")
    # Choices go through connectivity.plans.choose_plan, which keeps one current plan per child.
    readonly_fields = ("is_current", "replaced_at", "chosen_at")
    show_full_result_count = False
