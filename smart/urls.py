from django.urls import path

from smart import views

app_name = "smart"
urlpatterns = [
    path("standards/<str:slug>/clauses/", views.clauses, name="clauses"),
    path("standards/<str:slug>/clauses/<str:number>", views.clause, name="clause"),
    path("standards/<str:slug>/structure.json", views.structure_json, name="json"),
    path("standards/<str:slug>/structure.sts.xml", views.structure_sts, name="sts"),
]
