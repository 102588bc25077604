from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.history import acting
from accounts.models import Organisation, RoleAssignment, User


class ActorInTrail:
    """Admin pages name the signed-in administrator as the actor of the account changes they make (the events
    themselves are written by accounts.history, inside the admin's transaction)."""

    def changeform_view(self, request, *args, **kwargs):
        with acting(request.user):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with acting(request.user):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with acting(request.user):  # bulk actions (delete selected) and list editing
            return super().changelist_view(request, *args, **kwargs)

    def user_change_password(self, request, *args, **kwargs):
        with acting(request.user):
            return super().user_change_password(request, *args, **kwargs)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class YuebiaoUserAdmin(ActorInTrail, UserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "display_name", "organisation", "is_active")
    fieldsets = UserAdmin.fieldsets + (("粤标", {"fields": ("organisation", "display_name")}),)


@admin.register(Organisation)
class OrganisationAdmin(ActorInTrail, admin.ModelAdmin):
    list_display = ("name", "kind", "region_code", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name",)
