from django.urls import path

app_name = "trail"
urlpatterns: list = []
