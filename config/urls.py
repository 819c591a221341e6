from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from tandems.views import calendars

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "#vernetztinEuropa"
admin.site.site_title = "#vernetztinEuropa"
# An unreachable database answers 503 in the page's language, keeping a refused form's input.
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Outside the language prefix: calendar apps keep the URL for years.
    path("calendar/<str:token>.ics", calendars.feed, name="calendar_feed"),
]
urlpatterns += i18n_patterns(
    path("", include("programme.urls")),
    path("interessenbekundung/", include("applications.urls")),
    path("tandems/", include("tandems.urls")),
    path("veranstaltungen/", include("events.urls")),
    path("bericht/", include("reports.urls")),
    path("fallstudien/", include("casestudies.urls")),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("notifications.urls")),
    path("", include("core.urls")),
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
