from django.urls import URLPattern, URLResolver, path

from caresignals.mortality import views

app_name = "mortality"
urlpatterns: list[URLPattern | URLResolver] = [
    path("deaths/", views.deaths, name="deaths"),
    path("deaths/add/", views.add_death, name="add"),
    path("deaths/results/", views.results, name="results"),
    path("deaths/from-event/<str:reference>/", views.event_death, name="event_death"),
    path("deaths/<str:reference>/", views.death, name="death"),
    path("deaths/<str:reference>/review/", views.review, name="review"),
    path("deaths/<str:reference>/leder/notify/", views.leder_notify, name="leder_notify"),
    path("deaths/<str:reference>/leder/", views.leder_steps, name="leder"),
]
