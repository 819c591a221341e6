from django.conf import settings

from core.pages import PAGES


def site(request):
    return {"site_name": settings.SITE_NAME, "footer_pages": PAGES}
