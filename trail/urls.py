from django.urls import path

from trail import views

app_name = "trail"
urlpatterns = [
    path("trail/anchors/", views.anchors, name="anchors"),
    path("trail/anchors.json", views.anchors_json, name="anchors-json"),
    path("trail/anchors/feed/", views.anchors_feed, name="anchors-feed"),
]
