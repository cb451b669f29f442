from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from guides.models import Guide, GuideReading, GuideText


class GuideTextInline(admin.StackedInline):
    model = GuideText
    extra = 0
    raw_id_fields = ("updated_by",)


@admin.register(Guide)
class GuideAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "problem", "device_kind", "device_make", "device_model", "is_published", "order")
    list_filter = ("problem", "device_kind", "is_published")
    search_fields = ("slug",)
    inlines = [GuideTextInline]


@admin.register(GuideText)
class GuideTextAdmin(SimpleHistoryAdmin):
    list_display = ("guide", "language", "title", "updated_at")
    list_filter = ("language",)
    search_fields = ("title", "guide__slug")
    raw_id_fields = ("guide", "updated_by")


@admin.register(GuideReading)
class GuideReadingAdmin(admin.ModelAdmin):
    list_display = ("guide", "language", "helped", "ticket_raised", "read_at")
    list_filter = ("helped", "ticket_raised", "language")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
