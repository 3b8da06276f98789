from django.urls import path, re_path

from caresignals.publishing import views_open_data as views

app_name = "open_data"
urlpatterns = [
    path("", views.open_data_index, name="index"),
    path("about/", views.open_data_about, name="about"),
    path("dictionary/", views.open_data_dictionary, name="dictionary"),
    path("data-dictionary.csv", views.open_data_dictionary_csv, name="dictionary_csv"),
    re_path(r"^(?P<period>\d{4}-\d{2})/$", views.open_data_release, name="release"),
    re_path(
        r"^(?P<period>\d{4}-\d{2})/data-dictionary\.csv$",
        views.open_data_release_dictionary_csv,
        name="release_dictionary_csv",
    ),
    re_path(
        r"^(?P<period>\d{4}-\d{2})/(?P<name>[a-z0-9_\-]+)\.(?P<fmt>csv|json|parquet)$",
        views.open_data_download,
        name="download",
    ),
]
