from django.urls import path

from caresignals.publishing import views

app_name = "publishing"
urlpatterns = [
    path("<str:code>/board/", views.board, name="board"),
    path("<str:code>/board.pdf", views.board_pdf, name="board_pdf"),
]
