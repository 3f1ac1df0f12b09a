from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from residents.audit import record
from residents.models import (
    AuditEvent,
    House,
    HouseSlug,
    Membership,
    OpeningHours,
    Organisation,
    User,
)


def _memberships(**filters) -> dict[int, Membership]:
    return {m.pk: m for m in Membership.objects.filter(**filters).select_related("user", "house")}


def _record_admin_changes(request, before: dict[int, Membership], after: dict[int, Membership]) -> None:
    """Role changes made in the admin go into the trail like those made in the portal."""
    for pk in sorted(before.keys() | after.keys()):
        old, new = before.get(pk), after.get(pk)
        changes = {}
        for field in ("role", "status", "house"):
            was = str(getattr(old, field)) if old is not None else None
            now = str(getattr(new, field)) if new is not None else None
            if was != now:
                changes[field] = [was, now]
        if not changes:
            continue
        action = (
            "membership.admin_added"
            if old is None
            else "membership.admin_removed"
            if new is None
            else "membership.admin_changed"
        )
        target = new or old
        record(action, actor=request.user, target=target, house=target.house, changes=changes)


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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        before = _memberships(user=form.instance) if change else {}
        super().save_formset(request, form, formset, change)
        _record_admin_changes(request, before, _memberships(user=form.instance))

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

    def save_model(self, request, obj, form, change):
        before = _memberships(pk=obj.pk) if change else {}
        super().save_model(request, obj, form, change)
        _record_admin_changes(request, before, _memberships(pk=obj.pk))

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = _memberships(pk=obj.pk)
            super().delete_model(request, obj)
            _record_admin_changes(request, before, {})

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            before = _memberships(pk__in=queryset.values("pk"))
            super().delete_queryset(request, queryset)
            _record_admin_changes(request, before, {})


@admin.register(HouseSlug)
class HouseSlugAdmin(admin.ModelAdmin):
    list_display = ["slug", "house"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only, for everyone (superusers too): the trail is never changed by hand."""

    list_display = ["created_at", "action", "actor", "on_behalf_of", "house", "target_repr"]
    list_filter = ["action", "house"]
    list_select_related = ["actor", "on_behalf_of", "house"]
    search_fields = ["action", "target_repr", "actor__name", "actor__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
