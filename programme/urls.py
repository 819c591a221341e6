from django.urls import path

from programme import views

app_name = "programme"
urlpatterns = [
    path("", views.programme_page, name="page"),
    path("infoblatt.pdf", views.infosheet, name="infosheet"),
    path("partner/invitation/<str:token>/", views.invitation, name="invitation"),
    path("partner/city/<int:pk>/", views.city_profile, name="city_profile"),
]
