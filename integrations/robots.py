"""WeCom group robots and DingTalk custom robots: the address check, the DingTalk signature, the message and the
HTTP call. No database here; ``integrations.services`` stores what happened.

* WeCom: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` with ``{"msgtype": "markdown", …}``.
* DingTalk: ``POST https://oapi.dingtalk.com/robot/send?access_token=…``; in signed mode ``&timestamp=<ms>&sign=…``
  where sign = URL-encoded base64 of HMAC-SHA256(key=secret, message="<timestamp>\\n<secret>").

Both answer HTTP 200 with ``{"errcode": 0, …}`` when the message is taken; any other errcode is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qs, quote_plus, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

VENDORS = {
    # kind: (host, path, the query parameter naming the robot)
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    "dingtalk": ("oapi.dingtalk.com", "/robot/send", "access_token"),
}
EXAMPLES = {
    "wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    "dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=…",
}
TIMEOUT_SECONDS = 10
MAX_TEXT = 3000  # both vendors cut markdown at about 4 KB


def webhook_problem(kind: str, url: str) -> str | None:
    """Why ``url`` is not a webhook address of ``kind``'s vendor (in Chinese for the form), or None.

    ``ROBOT_WEBHOOK_TEST_HOSTS`` (empty in the portal's settings; the tests put their local server there) lets a
    test use ``http://127.0.0.1:<port>`` with the vendor's path and parameter.
    """
    if kind not in VENDORS:
        return _("Choose WeCom or DingTalk.")
    host, path, param = VENDORS[kind]
    parts = urlsplit((url or "").strip())
    local = f"{parts.hostname}:{parts.port}" in getattr(settings, "ROBOT_WEBHOOK_TEST_HOSTS", ())
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        return _("The webhook address must start with https://, e.g. %(example)s") % {"example": EXAMPLES[kind]}
    if not local and (parts.hostname != host or parts.port not in (None, 443)):
        return _("The webhook address must be on %(host)s, e.g. %(example)s") % {"host": host,
                                                                                "example": EXAMPLES[kind]}
    if parts.path != path:
        return _("The webhook address must have the path %(path)s, e.g. %(example)s") % {
            "path": path, "example": EXAMPLES[kind]}
    values = parse_qs(parts.query)
    if not values.get(param) or not values[param][0].strip():
        return _("The webhook address lacks its %(param)s=… part, e.g. %(example)s") % {
            "param": param, "example": EXAMPLES[kind]}
    if parts.username or parts.password or parts.fragment:
        return _("The webhook address must not carry a user name or a fragment.")
    return None


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` parameter of DingTalk's signed mode, already URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_url(kind: str, url: str, secret: str, *, now_ms: int | None = None) -> str:
    if kind != "dingtalk" or not secret:
        return url
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    return f"{url}&timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def message(kind: str, *, subject: str, body: str, link: str, to: str = "") -> dict:
    """The markdown message for ``kind``'s robot."""
    lines = [f"**{subject}**" if kind == "wecom" else f"### {subject}"]
    if to:
        lines.append(_("To: %(name)s") % {"name": to})
    if body:
        lines.append(body)
    if link:
        lines.append(f"[{_('Open in the portal')}]({link})")
    text = "\n\n".join(lines)[:MAX_TEXT]
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": subject[:60], "text": text}}


@dataclass
class Outcome:
    ok: bool
    error: str = ""


def post(kind: str, url: str, secret: str, payload: dict) -> Outcome:
    """Send one message; a network error, an HTTP error or an errcode other than 0 is a failure (with why)."""
    request = urllib.request.Request(signed_url(kind, url, secret), data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (checked address)
            raw = response.read(4096)
    except urllib.error.HTTPError as exc:
        return Outcome(False, _("HTTP %(status)s from the robot.") % {"status": exc.code})
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Outcome(False, _("The robot could not be reached: %(why)s") % {"why": getattr(exc, "reason", exc)})
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return Outcome(False, _("The robot's answer is not JSON."))
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        why = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        return Outcome(False, _("The robot refused the message: errcode %(code)s %(why)s") % {
            "code": code, "why": why})
    return Outcome(True)
