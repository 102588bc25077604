from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Organisation, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class YuebiaoUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "display_name", "organisation", "is_active")
    fieldsets = UserAdmin.fieldsets + (("粤标", {"fields": ("organisation", "display_name")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region_code", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name",)
