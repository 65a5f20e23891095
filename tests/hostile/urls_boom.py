"""The portal's URLs plus one page that fails, to see the 500 page (tests only)."""

from django.urls import path

from marketing_portal.urls import urlpatterns as portal_patterns


def boom(request):
    raise RuntimeError("boom (test of the 500 page)")


urlpatterns = [path("boom/", boom), *portal_patterns]
