from django.urls import URLPattern, URLResolver

app_name = "signals"
urlpatterns: list[URLPattern | URLResolver] = []
