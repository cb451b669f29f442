from django.contrib import admin

from publishing.models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("period", "status", "driver", "requested_at", "requested_by", "published_at", "attempts")
    list_filter = ("status", "driver")
    readonly_fields = [f.name for f in Publication._meta.fields]

    def get_queryset(self, request):
        return Publication.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False  # publications are made by the service (publishing.services), never by hand

    def has_change_permission(self, request, obj=None):
        return False
