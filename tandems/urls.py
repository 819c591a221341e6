from django.urls import path

from tandems import views

app_name = "tandems"
urlpatterns = [
    path("", views.participating, name="participating"),
    path("<int:pk>/", views.tandem_detail, name="detail"),
]
