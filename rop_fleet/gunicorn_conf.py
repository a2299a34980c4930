"""gunicorn settings of the production web service (docker-compose.yml and the image's CMD
load them with --config python:rop_fleet.gunicorn_conf).

Threads, not processes alone: a page that calls a partner's Core Server waits on the
network for up to ROP_INTERACTIVE_DEADLINE_SECONDS, and a waiting thread costs little. With
gthread, WEB_WORKERS processes of WEB_THREADS threads each serve that many requests at once,
so a few people waiting on a hung Core Server leave the other threads serving everyone else
(and that partner's circuit opens after a few failures, after which its pages answer at
once). bench/bench_fairness.py measures it. Each thread may hold a PostgreSQL connection
(CONN_MAX_AGE): size the database's max_connections for WEB_WORKERS x WEB_THREADS per web
container, plus the workers.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "8"))
