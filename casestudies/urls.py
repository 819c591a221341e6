from django.urls import path

from casestudies import pdf_views, synthesis_views, views

app_name = "casestudies"
urlpatterns = [
    path("", views.case_study_list, name="list"),
    path("synthesis/", synthesis_views.synthesis, name="synthesis"),
    path("<int:pk>/", views.case_study_detail, name="detail"),
    path("<int:pk>/edit/", views.case_study_edit, name="edit"),
    path("<int:pk>/pdf/", pdf_views.case_study_pdf, name="pdf"),
    path("<int:pk>/review/", views.review_step, name="review"),
    path("<int:pk>/versions/", views.version_list, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/restore/", views.version_restore, name="restore"),
    path("<int:pk>/compare/", views.version_compare, name="compare"),
]
