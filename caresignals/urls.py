from django.contrib.auth import views as auth_views
from django.urls import include, path

from caresignals.core import views as core

urlpatterns = [
    path("", core.home, name="home"),
    path("about/", core.about, name="about"),
    path("accessibility/", core.accessibility, name="accessibility"),
    path("healthz", core.healthz, name="healthz"),
    path("accounts/sign-in/", core.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/", include("caresignals.organisations.urls")),
    path("organisations/", include("caresignals.measures.urls")),
    path("audit/", include("caresignals.audit.urls")),
]

handler404 = "caresignals.core.views.not_found"
handler403 = "caresignals.core.views.forbidden"
handler500 = "caresignals.core.views.server_error"
