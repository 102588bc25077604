"""URLs of the inbox (通知)."""

from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.mark_all_read, name="read-all"),
    path("inbox/<int:pk>/read/", views.mark_read, name="read"),
    path("inbox/<int:pk>/open/", views.open_notice, name="open"),
]
