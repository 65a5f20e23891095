#!/usr/bin/env bash
# Load test (issue 13, point 3): gunicorn with the production settings, a real Celery worker and beat, PostgreSQL
# and Redis, all on loopback, on the seed_bench database; locust headless, bounded in time and requests.
#
#   .venv/bin/python manage.py seed_bench --database-url postgres://postgres@127.0.0.1:5432/bench   # once
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench BENCH_REDIS_URL=redis://127.0.0.1:6379/11 \
#       benchmarks/loadtest.sh [--users 50] [--time 3m] [--requests 20000] [--think "1 4"]
#
# Everything it starts is stopped at the end (or on Ctrl-C); the figures land in var/loadtest/ (locust's CSV and
# HTML report) and are summed up on stdout. The database changes as people work (approvals, import previews);
# run seed_bench --fresh to start again from the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=50 TIME=3m REQUESTS=20000 THINK="1 4" PORT=${BENCH_PORT:-8613} WORKERS=${BENCH_WORKERS:-4}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --users) USERS=$2; shift 2 ;;
    --time) TIME=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --think) THINK=$2; shift 2 ;;  # "MIN MAX" seconds between a person's actions
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
: "${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to the seed_bench database}"
: "${BENCH_REDIS_URL:?set BENCH_REDIS_URL to a Redis database of its own, e.g. redis://127.0.0.1:6379/11}"
OUT=var/loadtest
mkdir -p "$OUT"
rm -f "$OUT"/*.csv "$OUT"/phases.json "$OUT"/celerybeat-schedule*

export DJANGO_SETTINGS_MODULE=marketing_portal.settings DEBUG=0 DATABASE_URL="$BENCH_DATABASE_URL"
export REDIS_URL="$BENCH_REDIS_URL" SECRET_KEY="${SECRET_KEY:-loadtest-$(openssl rand -hex 16)}"
export ALLOWED_HOSTS=127.0.0.1,localhost CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$PORT"
export SECURE_COOKIES=0 EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
export CELERY_BEAT_SCHEDULE_FILENAME="$OUT/celerybeat-schedule"
PY=.venv/bin/python
$PY - <<'PY'
import os
from marketing_portal.management.commands.seed_bench import check_target
check_target(os.environ["DATABASE_URL"])  # the seed_bench database only, never the demo or test one
PY
$PY manage.py migrate --noinput -v0
# A first start: no figures, sessions or queued tasks of an earlier run (the Redis database is the load test's own).
$PY manage.py shell -c 'from django.core.cache import cache; cache.clear()'
$PY manage.py collectstatic --noinput -v0 >/dev/null 2>&1 || true

# Logins by role for the locust users (demo accounts and seed_bench's bench_NNNN).
export BENCH_USERS="$($PY manage.py shell -c '
import json
from org.models import Person
from org.roles import Role
def of(*roles):
    return sorted(set(Person.objects.filter(positions__role__in=roles, user__is_active=True)
                      .values_list("user__username", flat=True)))
print(json.dumps({"sales": of(Role.SALESPERSON), "finance": of(Role.FINANCE_REVIEWER, Role.FINANCE_HEAD),
                  "administration": of(Role.ARCHIVIST, Role.ADMIN_HEAD),
                  "technicians": of(Role.TECHNICIAN_REPAIR, Role.TECHNICIAN_RND, Role.TECHNICIAN_PRODUCTION),
                  "managers": of(Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER, Role.MANAGEMENT_MANAGER,
                                 Role.SALES_MANAGER, Role.REGIONAL_MANAGER)}))
' | tail -1)"
export BENCH_DASHBOARD="$($PY manage.py shell -c '
from django.apps import apps
from django.urls import reverse, NoReverseMatch
url = ""
if apps.is_installed("dashboards"):
    for name in ("dashboards:index", "dashboards:home", "dashboards:dashboard", "dashboards:managers"):
        try:
            url = reverse(name); break
        except NoReverseMatch:
            pass
print(url)
' | tail -1)"

PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT INT TERM

.venv/bin/gunicorn marketing_portal.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --timeout 60 --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" >"$OUT/web.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A marketing_portal --quiet worker --concurrency 2 --loglevel WARNING --logfile "$OUT/worker.log" &
PIDS+=($!)
.venv/bin/celery -A marketing_portal --quiet beat --loglevel WARNING --logfile "$OUT/beat.log" \
  --schedule "$OUT/celerybeat-schedule" &
PIDS+=($!)
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break
  sleep 1
done
for pid in "${PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || { echo "gunicorn, the worker or beat did not start: see $OUT/*.log" >&2; exit 1; }
done

echo "load test: $USERS users ($THINK s between actions) for $TIME (at most $REQUESTS requests) against gunicorn ($WORKERS workers) on" \
     "127.0.0.1:$PORT; load average before: $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs"
set +e
BENCH_THINK="$THINK" BENCH_MAX_REQUESTS=$REQUESTS BENCH_PHASES_OUT="$OUT/phases.json" .venv/bin/locust -f benchmarks/locustfile.py --headless --host "http://127.0.0.1:$PORT" --users "$USERS" \
  --spawn-rate 5 --run-time "$TIME" --stop-timeout 10 --only-summary \
  --csv "$OUT/locust" --html "$OUT/report.html" 2>"$OUT/locust.log"
STATUS=$?
set -e
echo "load average after: $(cut -d' ' -f1 /proc/loadavg)"
$PY benchmarks/loadtest_report.py "$OUT/phases.json" "$OUT/locust_failures.csv" | tee "$OUT/summary.txt"
REPORT=${PIPESTATUS[0]}
[[ $STATUS -ne 0 ]] && exit $STATUS
exit $REPORT
