from django.urls import path

from tandems.views import calendars, documents, meetings, minutes, tandems, timeline

app_name = "tandems"
urlpatterns = [
    path("", tandems.participating, name="participating"),
    path("calendar/", calendars.subscriptions, name="calendars"),
    path("timeline/", timeline.timeline_page, name="timeline"),
    path("<int:pk>/", tandems.tandem_detail, name="detail"),
    path("<int:pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("<int:pk>/meetings/<int:meeting>/", meetings.meeting_detail, name="meeting"),
    path("<int:pk>/meetings/<int:meeting>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<int:pk>/meetings/<int:meeting>/status/", meetings.meeting_status,
         name="meeting_status"),
    path("<int:pk>/meetings/<int:meeting>/minutes/", minutes.minutes, name="minutes"),
    path("<int:pk>/meetings/<int:meeting>/calendar.ics", calendars.meeting_ics,
         name="meeting_ics"),
    path("<int:pk>/meetings/<int:meeting>/documents/", documents.document_upload,
         name="document_upload"),
    path("<int:pk>/meetings/<int:meeting>/documents/<int:document>/", documents.document_download,
         name="document"),
]
