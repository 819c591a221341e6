from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("neu/<int:call_id>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("<int:pk>/loeschen/", views.delete_draft, name="delete"),
    path("beitreten/<int:city_id>/", views.ask_to_join, name="join"),
    path("anfrage/<int:pk>/", views.decide_join, name="decide_join"),
]
