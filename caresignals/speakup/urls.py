from django.urls import URLPattern, URLResolver

app_name = "speakup"
urlpatterns: list[URLPattern | URLResolver] = []
