from django.urls import path

from caresignals.measures import views

app_name = "measures"
urlpatterns = [
    path("<str:code>/indicators/<str:indicator>/", views.chart, name="chart"),
]
