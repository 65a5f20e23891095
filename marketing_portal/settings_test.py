"""Test settings: the real PostgreSQL and Redis of this machine unless the environment names others."""

import os
from pathlib import Path

import environ

# A clone that runs beside others on one machine names its own test database and Redis number here
# (git-ignored), e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_b and REDIS_URL=…/14.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env.test")
os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret")  # noqa: S105 - used by the test suite only
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "0")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR, INSTALLED_APPS  # noqa: E402

# A stand-in record with a calendar-computed date for the tests of marketing_portal.deadlines.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.deadline_probe"]

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = str(BASE_DIR / "var" / "test-media")
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tasks run inline unless a test starts a real worker (fixture ``celery_worker``), which switches this off.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
