from django.urls import path

from caresignals.pages import views

app_name = "organisations"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.detail, name="detail"),
]
