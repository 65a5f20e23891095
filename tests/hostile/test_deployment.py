"""Deployment (issue 13, point 6): production settings pass ``check --deploy``; the browser gets a strict
Content-Security-Policy that no template breaks, Permissions-Policy, and private responses are never cached."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def _templates():
    for base in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in base.parts or "node_modules" in base.parts:
            continue
        yield from sorted(base.rglob("*.html"))


def test_no_template_has_an_inline_script_or_handler():
    """The policy allows scripts only from our static files: anything inline would be blocked in the browser.
    Move the code to ``static/js/<name>.js`` and load it with ``<script src="{% static … %}">``."""
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (INLINE_HANDLER, "on…= handler"),
                              (JS_URL, "javascript: URL")):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offenders == []


def test_the_inline_script_check_catches_what_it_must():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert INLINE_HANDLER.search('<select name="language" onchange="this.form.submit()">')
    assert not INLINE_HANDLER.search('<select name="language" data-submit-on-change>')


@pytest.mark.django_db
def test_pages_carry_the_security_headers_and_private_ones_are_not_stored(login, demo, make):
    contract = make.contract()
    client = login(demo.user("sales_hb"))
    for url in [reverse("home"), contract.get_absolute_url(), reverse("contracts:list"),
                reverse("receivables:project-list"), reverse("contracts:register-export")]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Cache-Control"] == "no-store, private", url


@pytest.mark.django_db
def test_a_file_download_is_not_stored(login, demo, make):
    from marketing_portal.models import Attachment

    make.contract(by="sales_hb")
    attachment = Attachment.objects.order_by("-pk").first()
    response = login(demo.user("sales_hb")).get(reverse("attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_check_deploy_is_clean_with_the_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings_prod",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "portal.example.com",
           "CSRF_TRUSTED_ORIGINS": "https://portal.example.com", "DEBUG": "0"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_production_settings_trust_the_proxy_and_send_hsts():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings_prod",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "portal.example.com", "DEBUG": "0",
           "AWS_STORAGE_BUCKET_NAME": "portal-files", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "from django.core.files.storage import storages; d = storages['default']; "
            "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "type(d).__name__, d.bucket_name)")
    result = subprocess.run([sys.executable, "-c", f"{code}"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000", "True", "True",
                                     "S3Storage", "portal-files"]


def test_the_nginx_site_limits_uploads_serves_static_and_never_media():
    site = (ROOT / "deploy" / "nginx" / "portal.conf").read_text()
    assert "client_max_body_size 30m;" in site
    assert "location /static/" in site
    assert not re.search(r"^\s*location\s+[^#\n]*media", site, re.M)
    assert "X-Forwarded-Proto $scheme" in site


def test_exactly_one_beat_unit_and_config_files_exist():
    units = sorted(p.name for p in (ROOT / "deploy" / "systemd").glob("*.service"))
    assert units == ["portal-beat.service", "portal-web.service", "portal-worker.service"]
    assert sum("celery" in (ROOT / "deploy" / "systemd" / u).read_text() and " beat " in
               (ROOT / "deploy" / "systemd" / u).read_text() for u in units) == 1
    namespace: dict = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own config file
    assert namespace["bind"] == "127.0.0.1:8000" and namespace["forwarded_allow_ips"] == "127.0.0.1"
