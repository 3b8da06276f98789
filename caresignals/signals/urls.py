from django.urls import URLPattern, URLResolver, path

from caresignals.signals import views

app_name = "signals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("signals/watchlist/", views.watchlist, name="watchlist"),
]
