from django.urls import path

from caresignals.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.index, name="index"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/follow/<str:code>/", views.follow, name="follow"),
    path("notifications/unfollow/<str:code>/", views.unfollow, name="unfollow"),
]
