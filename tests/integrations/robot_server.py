"""A real local HTTP server (a thread) standing in for the WeCom and DingTalk robot endpoints.

It checks what a real robot checks — the path, the robot's key / access_token, a JSON markdown payload, and for
DingTalk in signed mode a timestamp within an hour and ``sign`` = base64(HMAC-SHA256(secret, "ts\\nsecret")) —
and answers like the vendors: ``{"errcode": 0, "errmsg": "ok"}`` or an error body. ``answers`` queues what to
answer next ("ok", "error" for errcode 310000, "http500"); once empty it answers "ok".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRETS: dict[str, str] = {}  # access_token -> signing secret of a signed DingTalk robot


class RobotServer:
    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode())
                problem = server.check(parts.path, query, body)
                with server.lock:
                    answer = server.answers.pop(0) if server.answers else "ok"
                    server.received.append({"path": parts.path, "query": query, "body": body, "problem": problem,
                                            "answer": answer})
                if answer == "http500":
                    self.send_response(500)
                    self.end_headers()
                    return
                reply = {"errcode": 0, "errmsg": "ok"}
                if problem:
                    reply = {"errcode": 310000, "errmsg": problem}
                elif answer == "error":
                    reply = {"errcode": 310000, "errmsg": "keywords not in content"}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wecom_url(self, key="wx-key-1") -> str:
        return f"http://{self.host}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token="dt-token-1") -> str:
        return f"http://{self.host}/robot/send?access_token={token}"

    def check(self, path, query, body) -> str:
        if path == "/cgi-bin/webhook/send":
            if not query.get("key"):
                return "missing key"
            if body.get("msgtype") != "markdown" or not body.get("markdown", {}).get("content"):
                return "bad wecom payload"
            return ""
        if path == "/robot/send":
            token = query.get("access_token")
            if not token:
                return "missing access_token"
            if body.get("msgtype") != "markdown" or not body["markdown"].get("title") or not body["markdown"].get(
                    "text"):
                return "bad dingtalk payload"
            secret = SECRETS.get(token)
            if secret:
                timestamp = query.get("timestamp", "")
                if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
                    return "invalid timestamp"
                expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                                     hashlib.sha256).digest()).decode()
                if query.get("sign") != expected:  # parse_qs has URL-decoded it
                    return "sign not match"
            return ""
        return "unknown path"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
