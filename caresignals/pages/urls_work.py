from django.urls import path

from caresignals.pages import views_work as views

urlpatterns = [path("my-work/", views.index, name="my_work")]
