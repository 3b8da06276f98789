from django.urls import path

from caresignals.pages import views_audit as views

app_name = "audit"
urlpatterns = [path("", views.index, name="index")]
