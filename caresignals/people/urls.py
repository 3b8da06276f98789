from django.urls import path

from caresignals.people import views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path(
        "set-password/<str:uidb64>/<str:token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
    path("set-password/done/", views.set_password_done, name="set_password_done"),
    path("<str:username>/", views.person, name="person"),
    path("<str:username>/roles/", views.give_role, name="give_role"),
    path("<str:username>/roles/<int:pk>/remove/", views.remove_role, name="remove_role"),
    path("<str:username>/deactivate/", views.deactivate, name="deactivate"),
    path("<str:username>/reactivate/", views.reactivate, name="reactivate"),
    path("<str:username>/invite/", views.invite, name="invite"),
]
