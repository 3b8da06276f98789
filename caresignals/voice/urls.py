from django.urls import path

from caresignals.voice import views, views_public

app_name = "voice"
urlpatterns = [
    # Public: no sign-in.
    path("feedback/", views_public.feedback_start, name="feedback_start"),
    path("feedback/give/", views_public.feedback_give, name="feedback_give"),
    path("feedback/easy-read/", views_public.feedback_easy_read, name="feedback_easy_read"),
    path("feedback/providers/<str:code>/", views_public.provider_stories, name="provider_stories"),
    # The complaints and patient-experience team.
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<str:reference>/", views.complaint, name="complaint"),
    path("complaints/<str:reference>/<str:step>/", views.complaint_step, name="complaint_step"),
    path("feedback/manage/", views.feedback_list, name="feedback_list"),
    path("feedback/manage/<str:reference>/", views.feedback_detail, name="feedback_detail"),
    path(
        "feedback/manage/<str:reference>/<str:step>/",
        views.feedback_step,
        name="feedback_step",
    ),
    path("feedback/insight/<str:code>/", views.insight, name="insight"),
]
