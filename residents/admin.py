from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from residents.models import (
    AuditEvent,
    House,
    HouseSlug,
    Membership,
    OpeningHours,
    Organisation,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["house", "role", "status", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["name", "email", "language", "is_active", "is_superuser", "date_joined"]
    list_filter = ["is_active", "is_superuser", "language"]
    search_fields = ["name", "email"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "phone", "language", "registered_by"]}),
        (_("Access"), {"fields": ["is_active", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "password1", "password2"]})]
    filter_horizontal = []


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city", "owner", "is_active"]
    search_fields = ["name", "slug", "city"]
    inlines = [OpeningHoursInline]
    filter_horizontal = ["partners"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email"]
    list_filter = ["kind"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "house", "role", "status", "requested_at"]
    list_filter = ["house", "role", "status"]
    search_fields = ["user__name", "user__email"]
    raw_id_fields = ["user", "decided_by"]


@admin.register(HouseSlug)
class HouseSlugAdmin(admin.ModelAdmin):
    list_display = ["slug", "house"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "on_behalf_of", "house", "target_repr"]
    list_filter = ["action", "house"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
