"""Load test of the portal (issue 13, point 3): people of every kind doing their real work. Run by
``benchmarks/loadtest.sh``, which starts gunicorn, a Celery worker and beat on the seed_bench database.

Mix (weights): salespeople 20 (home, contract list and its pages, searches, a contract, its project, a small
register export), finance 8 (projects, a project, the invoice-import upload checked and previewed, approving the
Finance review of a contract), administration 5 (contracts to archive, a contract, the register of a region),
technicians 10 (the phone page of their tickets, a ticket), managers 7 (home, dashboard when there is one, the
contract list, approving the contracts waiting for them). Logins are the demo's and seed_bench's
(password ``Demo@2026``), read from ``BENCH_USERS`` (JSON by role, written by loadtest.sh).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
from collections import defaultdict
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

USERS = json.loads(os.environ.get("BENCH_USERS", "{}") or "{}")
PASSWORD = os.environ.get("BENCH_PASSWORD", "Demo@2026")
DASHBOARD = os.environ.get("BENCH_DASHBOARD", "")
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.0 Mobile/15E148 Safari/604.1")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTRACT = re.compile(r'href="/contracts/(\d+)/"')
PROJECT = re.compile(r'href="/receivables/(\d+)/"')
TICKET = re.compile(r'href="/repairs/(\d+)/"')
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "0") or 0)
PHASES_OUT = os.environ.get("BENCH_PHASES_OUT", "")
SETTLE = float(os.environ.get("BENCH_SETTLE", "10"))
# Seconds a person takes between two actions (reading the page, typing): BENCH_THINK="1 4" by default.
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "1 4").split())
_state = {"requests": 0, "environment": None, "phase": "ramp-up"}
# Every request's time by phase and name: "ramp-up" while users start and log in, then "steady".
# benchmarks/loadtest_report.py reads them (BENCH_PHASES_OUT) and checks the targets on the steady state only.
_times: dict[str, dict[str, list]] = {"ramp-up": defaultdict(list), "steady": defaultdict(list)}


@events.init.add_listener
def _remember(environment, **_kwargs):
    _state["environment"] = environment


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    _state["users"] = user_count
    _maybe_steady()


def _maybe_steady():
    """The steady state starts ``BENCH_SETTLE`` seconds (default 10) after every user has started *and* logged in
    (a deliberately slow password hash each: 50 of them keep two cores busy for a while)."""
    if _state.get("users") and _state.get("logged_in", 0) >= _state["users"] and not _state.get("settling"):
        _state["settling"] = True
        gevent.spawn_later(SETTLE, _state.update, phase="steady")


@events.request.add_listener
def _record(name, response_time, exception=None, **_kwargs):
    """Keep the request's time for its phase; stop the run after ``BENCH_MAX_REQUESTS`` requests (the time bound
    is locust's --run-time)."""
    _times[_state["phase"]][name].append([round(response_time, 1), exception is not None])
    _state["requests"] += 1
    if MAX_REQUESTS and _state["requests"] == MAX_REQUESTS and _state["environment"].runner:
        gevent.spawn(_state["environment"].runner.quit)


@events.quitting.add_listener
def _write_phases(**_kwargs):
    if PHASES_OUT:
        Path(PHASES_OUT).write_text(json.dumps(_times, ensure_ascii=False), encoding="utf-8")


class Portal(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = ""

    def on_start(self):
        names = USERS.get(self.role) or []
        self.username = random.choice(names)
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        response = self.client.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                                         "csrfmiddlewaretoken": token},
                                    headers={"Referer": self.client.base_url + "/accounts/login/"}, name="login")
        if "/accounts/login/" in response.url:
            response.failure(f"login of {self.username} failed")
        _state["logged_in"] = _state.get("logged_in", 0) + 1
        _maybe_steady()

    def page(self, url, name, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {url}")
            return response

    def post_form(self, page_text, url, data, name, files=None):
        match = CSRF.search(page_text or "")
        if not match:
            return None
        data = {**data, "csrfmiddlewaretoken": match.group(1)}
        with self.client.post(url, data=data, files=files, name=name, catch_response=True,
                              headers={"Referer": self.client.base_url + url}) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code} on POST {url}")
            return response

    def one_of(self, pattern, text):
        found = pattern.findall(text or "")
        return random.choice(found) if found else None

    def browse(self, url, name, pattern, detail, prefix, **kwargs):
        """Open a list, then one of the records it shows (as people do): ``prefix`` + id + ``/``."""
        listing = self.page(url, name, **kwargs)
        pk = self.one_of(pattern, listing.text)
        if pk:
            self.page(f"{prefix}{pk}/", detail, **kwargs)
        return listing

    def approve_waiting(self, state):
        """Open a contract waiting on this person's review and approve it (the decision form of its page)."""
        listing = self.page(f"/contracts/?state={state}", f"contracts: {state}")
        pk = self.one_of(CONTRACT, listing.text)
        if not pk:
            return
        detail = self.page(f"/contracts/{pk}/", "contract page")
        form = re.search(r'action="/contracts/\d+/do/approve/".*?name="kind" value="([a-z_]+)".*?name="step" '
                         r'value="(\d+)"', detail.text or "", re.S)
        if form:
            self.post_form(detail.text, f"/contracts/{pk}/do/approve/",
                           {"kind": form.group(1), "step": form.group(2), "comment": "同意（压力测试）"},
                           "approve a step")


class Salesperson(Portal):
    weight = 20
    role = "sales"

    @task(3)
    def home(self):
        self.page("/", f"home: {self.role}")

    @task(4)
    def contracts(self):
        self.browse("/contracts/", "contract list", CONTRACT, "contract page", "/contracts/")
        self.page(f"/contracts/?page={random.randint(2, 8)}", "contract list, page n")

    @task(2)
    def search(self):
        self.page(f"/contracts/?q={random.choice(['变电站', '开关柜', '光伏', 'HT-2025-', '电力', '箱式变电站'])}",
                  "contract search")

    @task(2)
    def projects(self):
        self.browse("/receivables/", "project list", PROJECT, "project page", "/receivables/")

    @task(1)
    def export(self):
        self.page("/contracts/register.xlsx?state=approved", "register export (own)")


class Finance(Portal):
    weight = 8
    role = "finance"

    @task(3)
    def projects(self):
        self.browse("/receivables/", "project list", PROJECT, "project page", "/receivables/")

    @task(1)
    def upload(self):
        """Download the import template, upload it back: checked and previewed, never confirmed."""
        template = self.client.get("/receivables/imports/template.xlsx", name="import template")
        page = self.page("/receivables/imports/", "imports")
        if template.status_code == 200:
            self.post_form(page.text, "/receivables/imports/", {"kind": "accounting"}, "upload an import file",
                           files={"file": ("导入.xlsx", io.BytesIO(template.content),
                                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})

    @task(2)
    def approve(self):
        self.approve_waiting("joint_review")

    @task(1)
    def home(self):
        self.page("/", f"home: {self.role}")


class Administration(Portal):
    weight = 5
    role = "administration"

    @task(3)
    def archive_queue(self):
        self.browse("/contracts/?state=registered", "contracts: registered", CONTRACT, "contract page", "/contracts/")

    @task(1)
    def home(self):
        self.page("/", f"home: {self.role}")

    @task(1)
    def export(self):
        self.page("/contracts/register.xlsx?state=archived", "register export (to archive)")


class Technician(Portal):
    weight = 10
    role = "technicians"

    @task(4)
    def my_tickets(self):
        self.browse("/repairs/?mine=1", "phone: my tickets", TICKET, "phone: a ticket", "/repairs/",
                    headers={"User-Agent": PHONE})

    @task(1)
    def home(self):
        self.page("/", f"home: {self.role}", headers={"User-Agent": PHONE})


class Manager(Portal):
    weight = 7
    role = "managers"

    @task(3)
    def home(self):
        self.page("/", f"home: {self.role}")
        if DASHBOARD:
            self.page(DASHBOARD, "dashboard")

    @task(2)
    def contracts(self):
        self.browse("/contracts/", "contract list", CONTRACT, "contract page", "/contracts/")

    @task(2)
    def approve(self):
        self.approve_waiting(random.choice(["leader_review", "gm_review"]))

    @task(1)
    def tickets(self):
        self.page("/repairs/", "ticket list")
