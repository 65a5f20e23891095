import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import resolve_url


class SessionKeepAliveMiddleware:
    """Keep a signed-in session alive while it is used, writing it at most every ``SESSION_REFRESH_SECONDS``.

    A session expires ``SESSION_COOKIE_AGE`` (a working day) after its last save; Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would save it — an UPDATE and a commit — on every page anyone reads. Instead the
    session is marked changed when its last refresh is older than the interval (five minutes): it still expires a
    working day after the last request, give or take that interval, and a page read writes nothing in between.
    Placed just after ``SessionMiddleware``, whose response step then saves it.
    """

    KEY = "_portal_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now
        return response


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


class HostileInputMiddleware:
    """Refuse a request whose parameters carry a NUL byte: 400 (the portal's page), before any view reads them.

    PostgreSQL cannot store or even compare a string containing NUL, so ``?q=%00`` on any search reached the
    database and answered 500. Checked once here for every query-string and form parameter (names and values;
    uploaded files are not inspected); the forms' own ``ProhibitNullCharactersValidator`` stays as the second line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest

        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            raise BadRequest("NUL byte in a request parameter")
        if "\x00" in request.path:
            raise BadRequest("NUL byte in the path")
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in params.getlist(key)) for key in params)


class PrivacyHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: no-store`` on everything private (issue 13).

    Contract, money and file responses must not stay in a shared or browser cache: every page a logged-in user
    gets, every download (``Content-Disposition``), export and PDF is marked ``no-store``. The login page and
    static files are not (nginx serves those).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or response.has_header("Content-Disposition")
        if private and not request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/")
                                                   else "/" + settings.STATIC_URL):
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response
