from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("<slug:slug>/", views.page, name="page"),
]
