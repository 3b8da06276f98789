from django.contrib.auth import views as auth_views
from django.urls import include, path

from caresignals.core import views as core
from caresignals.measures import views_matrix as measures_matrix
from caresignals.pages import views as pages
from caresignals.pages import views_signin as signin

urlpatterns = [
    path("", pages.home, name="home"),
    path("about/", core.about, name="about"),
    path("accessibility/", core.accessibility, name="accessibility"),
    path("healthz", core.healthz, name="healthz"),
    path("accounts/sign-in/", core.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/identity-provider/",
        signin.IdentityProviderStart.as_view(),
        name="identity_provider_sign_in",
    ),
    path(
        "accounts/identity-provider/callback/",
        signin.IdentityProviderCallback.as_view(),
        name="identity_provider_callback",
    ),
    path("accounts/second-factor/", signin.second_factor_page, name="second_factor"),
    path(
        "accounts/second-factor/verify/", signin.second_factor_verify, name="second_factor_verify"
    ),
    path(
        "accounts/second-factor/remove/", signin.second_factor_remove, name="second_factor_remove"
    ),
    path("organisations/", include("caresignals.pages.urls_organisations")),
    path("organisations/", include("caresignals.measures.urls")),
    path("audit/", include("caresignals.pages.urls_audit")),
    path("people/", include("caresignals.people.urls")),
    path("", include("caresignals.pages.urls_work")),
    path("", include("caresignals.notifications.urls")),
    path("reports/", include("caresignals.publishing.urls")),
    path("publishing/", include("caresignals.publishing.urls_releases")),
    path("open-data/", include("caresignals.publishing.urls_open_data")),
    path("api/public/v1/", include("caresignals.api.urls_public")),
    path("system/matrix/", measures_matrix.matrix, name="matrix"),
    path("indicators/", include("caresignals.measures.urls_library")),
    path("api/v1/", include("caresignals.api.urls")),
    path("", include("caresignals.safety.urls")),
    path("", include("caresignals.voice.urls")),
    path("", include("caresignals.speakup.urls")),
    path("intelligence/", include("caresignals.intelligence.urls")),
    path("mortality/", include("caresignals.mortality.urls")),
    path("", include("caresignals.learning.urls")),
    path("", include("caresignals.signals.urls")),
]

handler400 = "caresignals.core.views.bad_request"
handler404 = "caresignals.core.views.not_found"
handler403 = "caresignals.core.views.forbidden"
handler500 = "caresignals.core.views.server_error"
