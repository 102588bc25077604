from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("second-factor/setup/", views.totp_setup, name="totp_setup"),
    path("second-factor/verify/", views.totp_verify, name="totp_verify"),
    path("second-factor/reset/", views.totp_reset, name="totp_reset"),
]
