from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import otp
from accounts.models import LocalAuthority, School, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "email", "role", "local_authority", "school", "is_active")
    list_filter = ("role", "local_authority", "is_active", "is_safeguarding_lead")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role and scope"), {"fields": ("role", "local_authority", "school", "is_safeguarding_lead", "preferred_language")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and scope"), {"fields": ("role", "local_authority", "school", "is_safeguarding_lead")}),
    )
    autocomplete_fields = ("school",)
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-step sign-in"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """Remove the selected users' authenticator apps and recovery codes (recorded in the log)."""
        for user in queryset:
            otp.reset(user=user, by=request.user)
        self.message_user(request, _("Two-step sign-in was reset for %(count)d user(s).") % {"count": queryset.count()})


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "gss_code")
    search_fields = ("name", "code", "gss_code")


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ("name", "urn", "local_authority", "phase", "status")
    list_filter = ("status", "phase", "local_authority")
    search_fields = ("name", "urn", "postcode")


# --------------------------------------------------------------------------- single sign-on
from accounts.models import ExternalIdentity, OrganisationMapping  # noqa: E402


@admin.register(OrganisationMapping)
class OrganisationMappingAdmin(SimpleHistoryAdmin):
    """Which Entra ID tenant and group gives which role and scope (``accounts.sso.EntraID``)."""

    list_display = ("tenant_id", "group_id", "role", "local_authority", "school", "is_active")
    list_filter = ("provider", "role", "is_active", "local_authority")
    search_fields = ("tenant_id", "group_id")
    autocomplete_fields = ("school",)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin):
    """Users' identities at the providers. Deleting one makes the next sign-in a new user."""

    list_display = ("user", "provider", "subject", "organisation", "last_sign_in")
    list_filter = ("provider",)
    search_fields = ("subject", "user__username", "user__email")
    readonly_fields = ("user", "provider", "subject", "organisation", "created_at", "last_sign_in")

    def has_add_permission(self, request):
        return False
