"""gunicorn for the Marketing Portal: ``gunicorn -c deploy/gunicorn.conf.py marketing_portal.wsgi``.

Behind nginx on the same machine (deploy/nginx/portal.conf), which terminates TLS and buffers slow clients; every
value can be overridden from the environment of the systemd unit (deploy/systemd/portal-web.service).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal's pages are short database work; 2 × cores + 1 is gunicorn's own rule of thumb.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))  # a 50,000-row export streams for a while
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle a worker now and then (memory of PDF rendering)
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")  # trust only the local nginx
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "marketing-portal"
