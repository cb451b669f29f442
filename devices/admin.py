"""Admin pages for the devices models. Foreign keys are raw IDs: there may be millions of rows."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from devices.models import Alert, DeliveryBatch, Device, DeviceEvent, Licence


@admin.register(DeliveryBatch)
class DeliveryBatchAdmin(SimpleHistoryAdmin):
    list_display = ("order_reference", "supplier", "delivered_on", "local_authority")
    list_filter = ("delivered_on",)
    list_select_related = ("local_authority",)
    search_fields = ("=order_reference", "supplier")
    raw_id_fields = ("local_authority", "created_by")
    show_full_result_count = False


@admin.register(Device)
class DeviceAdmin(SimpleHistoryAdmin):
    list_display = ("serial", "kind", "make", "model", "status", "ownership", "local_authority", "school")
    list_filter = ("kind", "status", "ownership")
    list_select_related = ("local_authority", "school")
    search_fields = ("=serial", "=imei", "=asset_tag")
    raw_id_fields = ("local_authority", "school", "batch")
    # Status changes go through devices.services.transition, which writes the custody log.
    readonly_fields = ("status", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(Licence)
class LicenceAdmin(SimpleHistoryAdmin):
    list_display = ("device", "product", "start", "end", "payer", "annual_cost")
    list_filter = ("product", "payer")
    list_select_related = ("device",)
    search_fields = ("=device__serial",)
    raw_id_fields = ("device",)
    show_full_result_count = False


@admin.register(DeviceEvent)
class DeviceEventAdmin(admin.ModelAdmin):
    """The custody log is append-only: readable here, never edited."""

    list_display = ("device", "kind", "from_status", "to_status", "actor", "at")
    list_filter = ("kind",)
    list_select_related = ("device", "actor")
    search_fields = ("=device__serial",)
    raw_id_fields = ("device", "actor")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("kind", "message", "local_authority", "raised_at", "acknowledged_at")
    list_filter = ("kind",)
    list_select_related = ("local_authority",)
    search_fields = ("=key",)
    raw_id_fields = ("local_authority", "school", "device", "sim", "acknowledged_by")
    show_full_result_count = False
