from django.urls import path

from caresignals.publishing import views_release as views

app_name = "releases"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.release, name="release"),
]
