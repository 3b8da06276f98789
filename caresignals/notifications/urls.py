from django.urls import path

from caresignals.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.index, name="index"),
    path("notifications/preferences/", views.preferences, name="preferences"),
]
