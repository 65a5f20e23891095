"""Production settings: the base settings read from the environment, hardened for a TLS reverse proxy.

``DJANGO_SETTINGS_MODULE=marketing_portal.settings_prod``; every value comes from the environment (an
``EnvironmentFile`` of the systemd units, see ``deploy/``): ``SECRET_KEY`` (50+ random characters),
``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS`` (``https://portal.example.com``), ``DATABASE_URL``, ``REDIS_URL``,
mail, and for shared file storage ``AWS_STORAGE_BUCKET_NAME`` (+ ``AWS_S3_ENDPOINT_URL`` for an S3-compatible
store such as MinIO or a cloud object store). ``manage.py check --deploy`` is clean with these settings.
"""

import os

os.environ.setdefault("DEBUG", "0")

from .settings import *  # noqa: E402,F403
from .settings import env  # noqa: E402

DEBUG = False

# nginx terminates TLS and says so in X-Forwarded-Proto (deploy/nginx/portal.conf); only nginx reaches gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie; either is fine

# Several web and worker machines share one file store: an S3-compatible bucket when one is named, else MEDIA_ROOT
# on a shared file system. Files are never public: downloads go through the permission-checked view.
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
                "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
                "region_name": env("AWS_S3_REGION_NAME", default=None),
                "access_key": env("AWS_ACCESS_KEY_ID", default=None),
                "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "location": env("AWS_LOCATION", default="media"),
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405
