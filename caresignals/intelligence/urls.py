from django.urls import URLPattern, URLResolver, path

from caresignals.intelligence import views

app_name = "intelligence"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/<int:pk>/", views.alert, name="alert"),
    path("alerts/<int:pk>/<str:code>/", views.alert_respond, name="alert_respond"),
    path("sqg/", views.meetings, name="meetings"),
    path("sqg/<str:held_on>/", views.meeting, name="meeting"),
    path("sqg/<str:held_on>/<str:kind>/new/", views.log_new, name="log_new"),
    path("sqg/<str:held_on>/<str:kind>/<int:pk>/status/", views.log_status, name="log_status"),
]
