from django.urls import URLPattern, URLResolver, path

from caresignals.speakup import views, views_public

app_name = "speakup"
urlpatterns: list[URLPattern | URLResolver] = [
    path("speak-up/raise/", views.raise_concern, name="raise"),
    path("speak-up/anonymous/", views_public.raise_anonymously, name="anonymous"),
    path("speak-up/case/", views_public.reporter_case, name="reporter_case"),
    path("speak-up/cases/", views.cases, name="cases"),
    path("speak-up/cases/<str:reference>/", views.case, name="case"),
    path("speak-up/cases/<str:reference>/record/", views.edit, name="edit"),
    path("speak-up/cases/<str:reference>/reply/", views.reply, name="reply"),
    path("speak-up/cases/<str:reference>/close/", views.close, name="close"),
    path("speak-up/summary/", views.summary, name="summary"),
    path("speak-up/return/", views.national_return, name="return"),
]
