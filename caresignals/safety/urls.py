from django.urls import path

from caresignals.safety.candour import views as views_candour
from caresignals.safety.events import views as views_record
from caresignals.safety.events import views_public
from caresignals.safety.responses import views as views_response

app_name = "safety"
urlpatterns = [
    path("safety/record/", views_record.start, name="record_start"),
    path("safety/record/new/", views_record.new, name="record_new"),
    path("safety/record/recorded/", views_record.done, name="record_done"),
    path("safety/record/<str:draft_id>/", views_record.step_one, name="record_event"),
    path("safety/record/<str:draft_id>/details/", views_record.step_two, name="record_details"),
    path("safety/record/<str:draft_id>/check/", views_record.check, name="record_check"),
    path("safety/record/<str:draft_id>/delete/", views_record.delete_draft, name="record_delete"),
    path("safety/my-events/", views_record.my_events, name="my_events"),
    path("safety/my-events/<str:reference>/", views_record.my_event, name="my_event"),
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
    path(
        "safety/candour/tracked-from/<str:code>/",
        views_candour.candour_tracked_from,
        name="candour_tracked_from",
    ),
    path("safety/referrals/", views_candour.referral_list, name="referral_list"),
    path("safety/system/", views_candour.system, name="system"),
    path("report-a-concern/", views_public.report_a_concern, name="report_concern"),
    # PSIRF responses: triage, the incident response plan, learning responses and actions.
    path("safety/events/<str:reference>/", views_response.event, name="event"),
    path("safety/events/<str:reference>/triage/", views_response.event_triage, name="event_triage"),
    path(
        "safety/events/<str:reference>/triage-owner/",
        views_response.event_triage_owner,
        name="event_triage_owner",
    ),
    path("safety/triage/", views_response.triage, name="triage"),
    path(
        "safety/triage/accept/",
        views_response.triage_accept_plan,
        name="triage_accept_plan",
    ),
    path("safety/plan/", views_response.plan, name="plan"),
    path("safety/plan/rules/new/", views_response.plan_rule_new, name="plan_rule_new"),
    path("safety/plan/rules/<int:pk>/", views_response.plan_rule_edit, name="plan_rule"),
    path(
        "safety/plan/rules/<int:pk>/remove/",
        views_response.plan_rule_remove,
        name="plan_rule_remove",
    ),
    path("safety/responses/", views_response.responses, name="responses"),
    path("safety/responses/new/", views_response.response_new, name="response_new"),
    path("safety/responses/<str:reference>/", views_response.response_detail, name="response"),
    path(
        "safety/responses/<str:reference>/edit/",
        views_response.response_edit,
        name="response_edit",
    ),
    path(
        "safety/responses/<str:reference>/engaged/",
        views_response.engagement_add,
        name="engagement_add",
    ),
    path(
        "safety/responses/<str:reference>/engaged/<int:pk>/remove/",
        views_response.engagement_remove,
        name="engagement_remove",
    ),
    path(
        "safety/responses/<str:reference>/actions/new/",
        views_response.action_new,
        name="action_new",
    ),
    path("safety/actions/", views_response.actions, name="actions"),
    path("safety/actions/<str:reference>/", views_response.action_edit, name="action"),
    path(
        "safety/actions/<str:reference>/progress/",
        views_response.action_progress,
        name="action_progress",
    ),
    path(
        "safety/responses/<str:reference>/progress/",
        views_response.response_progress,
        name="response_progress",
    ),
]
