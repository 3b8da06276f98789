from django.urls import URLPattern, URLResolver, path

from caresignals.signals import views_watchlist

app_name = "signals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("signals/watchlist/", views_watchlist.watchlist, name="watchlist"),
]
