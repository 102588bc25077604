from django.urls import path, re_path

from catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.export, name="export"),
    path("standards/<str:slug>/", views.standard, name="standard"),
    path("standards/<str:slug>/full-text/", views.standard_full_text, name="standard-full-text"),
    path("standards/<str:slug>/full-text/jobs/<int:pk>/", views.full_text_job, name="full-text-job"),
    path("standards/<str:slug>/full-text/download/", views.standard_full_text_download, name="standard-full-text-download"),
    # CCS ranges are written with a slash (Z10/39): the code is a path.
    path("classification/<str:kind>/<path:code>/", views.classification, name="classification"),
    path("catalogue/import/", views.import_upload, name="import"),
    path("catalogue/import/<int:pk>/", views.import_batch, name="import-batch"),
    path("catalogue/import/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("feeds/standards.atom", views.standards_feed, name="feed"),
]
