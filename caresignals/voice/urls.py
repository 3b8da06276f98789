from django.urls import URLPattern, URLResolver

app_name = "voice"
urlpatterns: list[URLPattern | URLResolver] = []
