"""Gunicorn settings for serving Yuebiao in production: `gunicorn -c gunicorn.conf.py yuebiao.wsgi` (or `yuebiao serve`).

Database connections are bounded by design: each worker thread keeps at most one persistent connection
(CONN_MAX_AGE with health checks), so the platform holds at most workers × threads connections to PostgreSQL.
"""

import multiprocessing
import os

bind = os.environ.get("YUEBIAO_BIND", "127.0.0.1:8000")
# 2 × cores + 1 is gunicorn's rule of thumb; capped so a large machine does not exhaust PostgreSQL's 100 clients.
workers = int(os.environ.get("YUEBIAO_WEB_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
threads = int(os.environ.get("YUEBIAO_WEB_THREADS", "2"))
worker_class = "gthread"
# Heavy work (document parsing, mail) runs in `yuebiao worker`; a request that takes a minute is stuck.
timeout = int(os.environ.get("YUEBIAO_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never accumulate; jitter keeps them from restarting together.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
