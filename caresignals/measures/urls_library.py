from django.urls import path

from caresignals.measures import views_library

app_name = "library"
urlpatterns = [
    path("", views_library.index, name="index"),
    path("<str:code>/", views_library.definition, name="definition"),
]
