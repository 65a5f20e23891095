from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import resolve_url


class ExpiredSessionMiddleware:
    """Tell the login page when a visitor arrives there because their session expired.

    The browser still sends the old session cookie, but the session behind it is gone; the redirect to
    the login page then carries ``expired=1`` so the page can say so in the user's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        had_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
        response = self.get_response(request)
        if (
            had_cookie
            and response.status_code == 302
            and not request.user.is_authenticated
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL) + "?")
        ):
            response["Location"] += "&" + urlencode({"expired": 1})
        return response


class ChineseFirstMiddleware:
    """The interface is Simplified Chinese unless the user chose English (X-1).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a colleague whose browser
    happens to prefer English would get English; only the language chosen in the portal (its cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
