from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_latest, name="latest"),
    path("<int:year>/", views.report, name="report"),
]
