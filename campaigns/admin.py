from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaigns.models import Campaign, CampaignDevice, CampaignEvent


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "status", "local_authority", "created_at")
    list_filter = ("kind", "status", "local_authority")
    readonly_fields = ("created_at", "closed_at")


@admin.register(CampaignDevice)
class CampaignDeviceAdmin(admin.ModelAdmin):
    list_display = ("campaign", "device", "status", "changed_at")
    list_filter = ("status",)
    raw_id_fields = ("campaign", "device")
    list_select_related = ("campaign", "device")


@admin.register(CampaignEvent)
class CampaignEventAdmin(admin.ModelAdmin):
    list_display = ("item", "from_status", "to_status", "actor", "at")
    raw_id_fields = ("item", "message")
    list_select_related = ("item__campaign", "item__device", "actor")
