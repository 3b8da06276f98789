from django.urls import path

from caresignals.safety import views_candour, views_public, views_record

app_name = "safety"
urlpatterns = [
    path("safety/record/", views_record.start, name="record_start"),
    path("safety/record/new/", views_record.new, name="record_new"),
    path("safety/record/recorded/", views_record.done, name="record_done"),
    path("safety/record/<str:draft_id>/", views_record.step_one, name="record_event"),
    path("safety/record/<str:draft_id>/details/", views_record.step_two, name="record_details"),
    path("safety/record/<str:draft_id>/check/", views_record.check, name="record_check"),
    path(
        "safety/events/<str:reference>/candour/",
        views_candour.event_candour,
        name="event_candour",
    ),
    path(
        "safety/events/<str:reference>/referrals/<str:kind>/",
        views_candour.referral_task,
        name="referral_task",
    ),
    path("safety/candour/", views_candour.candour_list, name="candour_list"),
    path("safety/referrals/", views_candour.referral_list, name="referral_list"),
    path("safety/system/", views_candour.system, name="system"),
    path("report-a-concern/", views_public.report_a_concern, name="report_concern"),
]
