from django.urls import URLPattern, URLResolver, path

from caresignals.signals.governance import views
from caresignals.signals.watchlist import views as views_watchlist

app_name = "signals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("signals/escalation/", views.escalation_index, name="escalation_index"),
    path("signals/escalation/<str:code>/", views.escalation_detail, name="escalation_detail"),
    path(
        "signals/escalation/<str:code>/change/",
        views.escalation_change,
        name="escalation_change",
    ),
    path("signals/escalation/<str:code>/reviews/new/", views.review_new, name="review_new"),
    path("signals/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("signals/reviews/<int:pk>/progress/", views.review_progress, name="review_progress"),
    path("signals/risks/", views.risk_index, name="risk_index"),
    path("signals/risks/new/", views.risk_new, name="risk_new"),
    path("signals/risks/<str:reference>/", views.risk_detail, name="risk_detail"),
    path("signals/risks/<str:reference>/edit/", views.risk_edit, name="risk_edit"),
    path("signals/risks/<str:reference>/review/", views.risk_review, name="risk_review"),
    path("signals/pack/", views.pack_view, name="pack"),
    path("signals/pack/<str:period>.pdf", views.pack_pdf, name="pack_pdf"),
    path("signals/watchlist/", views_watchlist.watchlist, name="watchlist"),
]
