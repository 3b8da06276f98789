from django.urls import URLPattern, URLResolver, path

from caresignals.learning import views

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("learning/", views.library, name="library"),
    path("learning/responses/<str:reference>/summary/", views.write, name="write"),
    path("learning/<str:reference>/", views.summary, name="summary"),
    path("learning/<str:reference>/approve/", views.approve, name="approve"),
    path("learning/<str:reference>/reuse/", views.reuse, name="reuse"),
]
