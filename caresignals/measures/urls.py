from django.urls import path

from caresignals.measures import views, views_comparison, views_lens

app_name = "measures"
urlpatterns = [
    path("<str:code>/indicators/<str:indicator>/", views.chart, name="chart"),
    path("indicators/comparison/", views_comparison.index, name="funnel_index"),
    path("indicators/<str:indicator>/comparison/", views_comparison.funnel, name="funnel"),
    path("<str:code>/inequalities/", views_lens.lens, name="lens"),
]
