"""The notices in Django's admin, read-only: administrators look up what was sent and why a mail failed."""

from django.contrib import admin

from notify.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "recipient__username", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False
