"""The production shape, run for real: the docker-compose.yml services' own commands and
healthchecks, without Docker, against PostgreSQL and Redis.

docker-compose.yml is read here, so the smoke test runs whatever the compose file says: the
migrate command, gunicorn (DEBUG off, production settings, BEHIND_PROXY), the reverse proxy in
front of it (Debian's caddy with deploy/Caddyfile), the Celery worker and beat, and the
simulator (the `demo` profile's), each with the environment the compose file and .env.example
give it. Only what cannot be the same outside a container is changed, and each change must
match the compose file (a rename there fails here rather than drifting):
- the compose hosts `postgres` and `redis` become this run's PostgreSQL server (a database of
  its own, created, migrated by the migrate service's command, and dropped) and this run's
  Redis databases (REDIS_URL / CELERY_BROKER_URL, the test run's own; the queue is purged);
- the listening ports become free ports on 127.0.0.1, the beat schedule file goes to a
  temporary folder, and the simulated fleet is smaller so that it all takes about a minute;
- the proxy's certificate comes from Caddy's own local CA instead of Let's Encrypt (nothing
  leaves this machine), its ports are free ones, and `web:8000` is gunicorn's port here;
- programs run from this virtualenv, from the project folder (the image's /app).

Then, as a person would, through the proxy over HTTPS: an intruder forging X-Forwarded-For
locks out only their own real address (the console never sees the forged one), a person at
another address logs in, syncs the fleet and runs a bulk refresh until the job is done; and
stop everything, checking that no process is left.

Select it alone with `pytest -m production_smoke`.
"""

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import urllib3
import yaml
from requests.adapters import HTTPAdapter

pytestmark = pytest.mark.production_smoke

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
HOST = "fleet.example.com"  # .env.example's ALLOWED_HOSTS
# Where the intruder and the person connect to the proxy from: two addresses of this machine.
INTRUDER_ADDRESS, PERSON_ADDRESS = "127.0.0.1", "127.0.0.2"
SIM_DEVICES = 60


# --- the compose file, read as compose reads it -------------------------------------------


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, ${NAME}, ${NAME:-default}, ${NAME:?error}, $NAME."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        value = env.get(name, "")
        if match.group("default") is not None and not value:
            return match.group("default")
        assert value or match.group("error") is None, f"compose would stop: {match.group('error')}"
        return value

    pattern = r"\$\$|\$\{(?P<braced>\w+)(?::-(?P<default>[^}]*)|:\?(?P<error>[^}]*))?\}|\$(?P<bare>\w+)"
    return re.sub(pattern, one, text)


def changed(words: list[str], env: dict[str, str], changes: dict[str, str], *, whole_words: bool) -> list[str]:
    """Compose's variable substitution, then `changes` (whole words of a command, or text
    inside a healthcheck's code). Each change must apply: the compose file and this test
    stay in step."""
    words = [interpolate(word, env) for word in words]
    for old, new in changes.items():
        hits = [word for word in words if (word == old if whole_words else old in word)]
        assert hits, f"{old!r} is no longer in {words}: update this test"
        words = [(new if word == old else word) if whole_words else word.replace(old, new) for word in words]
    return words


def in_venv(words: list[str]) -> list[str]:
    """Programs from this virtualenv; others (the proxy's caddy) from the PATH."""
    program = words[0]
    if program == "python":
        return [sys.executable, *words[1:]]
    found = BIN / program if (BIN / program).exists() else shutil.which(program)
    assert found, f"{program} is not installed"
    return [str(found), *words[1:]]


def command_argv(service: str, env: dict[str, str], changes: dict[str, str]) -> list[str]:
    return in_venv(changed(SERVICES[service]["command"], env, changes, whole_words=True))


def healthcheck_argv(service: str, env: dict[str, str], changes: dict[str, str]) -> list[str]:
    kind, *test = SERVICES[service]["healthcheck"]["test"]
    if kind == "CMD-SHELL":  # the shell finds the same programs: this virtualenv is first on PATH
        return ["/bin/sh", "-c", *changed(test, env, changes, whole_words=False)]
    assert kind == "CMD", kind
    return in_venv(changed(test, env, changes, whole_words=False))


def dockerfile_cmd() -> list[str]:
    line = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    words: list[str] = yaml.safe_load(line.removeprefix("CMD "))  # a JSON array is YAML too
    return words


def dockerfile_collectstatic() -> list[str]:
    """The collectstatic step of the image build, without its throwaway build-time secrets."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    run = next(line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line)
    return shlex.split(run[run.index("python manage.py") :])


# --- services, databases and processes ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


@pytest.fixture
def smoke_database():
    """A PostgreSQL database of its own on this run's server, dropped afterwards."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    redis_url, broker_url = os.environ.get("REDIS_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not (url.startswith("postgres") and redis_url.startswith("redis") and broker_url.startswith("redis")):
        message = "the production smoke test needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL, CELERY_BROKER_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"rop_fleet_smoke_{secrets.token_hex(4)}"
    admin = with_path(url, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_path(url, f"/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Stack:
    """The running services: one process group each, logs in files."""

    def __init__(self, logs: Path, env: dict[str, str]):
        self.logs, self.env = logs, env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def run(self, what: str, argv: list[str], timeout: float = 120, **extra_env: str) -> str:
        done = subprocess.run(
            argv, cwd=ROOT, env={**self.env, **extra_env}, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def start(self, service: str, argv: list[str], **extra_env: str) -> None:
        log = (self.logs / f"{service}.log").open("wb")
        self.procs[service] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check_running(self) -> None:
        for service, proc in self.procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{service} exited with {proc.returncode}:\n{self.tail(service)}")

    def tail(self, service: str, lines: int = 40) -> str:
        path = self.logs / f"{service}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def wait_healthy(self, service: str, argv: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            done = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{service} never became healthy: {done.stderr[-1000:]}\n{self.tail(service)}")
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM each group (what `docker compose stop` sends), then make sure nothing is left."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        leftovers = []
        for service, proc in self.procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                leftovers.append(service)
            if _group_alive(proc.pid):
                leftovers.append(service)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        assert not leftovers, f"still running after SIGTERM: {leftovers}"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def production_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """The containers' environment: .env.example (secrets generated), the compose
    environment with this run's servers for `postgres` and `redis`, the image's paths."""
    from cryptography.fernet import Fernet

    dotenv = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            dotenv[key] = value
    dotenv.update(SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    dotenv["ROPSIM_TOKEN"] = secrets.token_urlsafe(12)
    assert dotenv["DEBUG"] == "0" and dotenv["BEHIND_PROXY"] == "1" and dotenv["ALLOWED_HOSTS"] == HOST
    assert dotenv["PROXY_COUNT"] == "1", "the compose file has one proxy in front of gunicorn"

    compose_env = dict(COMPOSE["x-app"]["environment"])
    local = {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
    }
    assert compose_env.keys() == local.keys(), "new compose environment: decide here what it is outside Docker"
    inherited = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", *dotenv, *local)}
    return {
        **inherited,
        **dotenv,
        **local,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),  # the image runs from /app with PYTHONPATH=/app
        "ROP_FLEET_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
        "HOSTNAME": socket.gethostname(),  # set in every container; the worker healthcheck uses it
        # Outside Docker the simulator listens on loopback, which production refuses by
        # default (in compose it is the `simulator` service: see .env.example).
        "ROP_ALLOW_LOOPBACK_ADDRESSES": "1",
    }


# --- a person behind the proxy ------------------------------------------------------------


class FromAddress(HTTPAdapter):
    """Connections from one address of this machine (127.0.0.2 is loopback too, on Linux)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class ProxiedBrowser:
    """HTTPS to the proxy from `source` (an address of this machine), with the public Host and,
    as an attacker would, a forged X-Forwarded-For of its choosing. The proxy's certificate is
    from Caddy's local CA for HOST, reached at 127.0.0.1: not verified. Cookies are kept by hand
    (the Host is not the URL's)."""

    def __init__(self, port: int, source: str, forged_for: str | None = None):
        self.base = f"https://127.0.0.1:{port}"
        self.forged_for = forged_for
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.http.mount("https://", FromAddress(source))

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Host": HOST, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if self.forged_for:
            headers["X-Forwarded-For"] = self.forged_for
        if method == "POST":
            headers["Origin"] = f"https://{HOST}"
        # verify here, not on the session: REQUESTS_CA_BUNDLE would override the session's.
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, verify=False, **kwargs
        )
        for cookie in response.cookies:
            assert cookie.secure, f"cookie {cookie.name} is not Secure"
            self.cookies[cookie.name] = cookie.value or ""
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.request("POST", path, data={"csrfmiddlewaretoken": self.cookies["csrftoken"], **data})

    def log_in(self, username: str, password: str) -> requests.Response:
        form = self.get("/accounts/login/")
        assert form.status_code == 200, form.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, "no CSRF token in the login form"
        return self.request(
            "POST",
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )


def proxy_argv(tmp_path: Path, env: dict[str, str], web_port: int, http_port: int, https_port: int) -> list[str]:
    """The proxy service's command, with the Caddyfile compose mounts changed only where this
    machine is not the stack: Caddy's local CA instead of Let's Encrypt (and not installed in the
    system's trust store), free ports, the certificate for HOST to clients that name none (they
    connect to 127.0.0.1), and gunicorn's port here for `web:8000`."""
    mount = next(v for v in SERVICES["proxy"]["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    text = (ROOT / mount.split(":")[0]).read_text()
    changes = {
        "\tadmin off\n": (
            f"\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\thttp_port {http_port}\n"
            f"\thttps_port {https_port}\n\tdefault_sni {HOST}\n"
        ),
        "reverse_proxy web:8000": f"reverse_proxy 127.0.0.1:{web_port}",
    }
    for old, new in changes.items():
        assert old in text, f"{old!r} is no longer in the Caddyfile: update this test"
        text = text.replace(old, new)
    (tmp_path / "Caddyfile").write_text(text)
    return command_argv("proxy", env, {"/etc/caddy/Caddyfile": str(tmp_path / "Caddyfile")})


def wait_for(check: Callable[[], Any], timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_running()
        if result := check():
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}\n--- worker\n{stack.tail('worker')}\n--- web\n{stack.tail('web')}")


# --- the test -----------------------------------------------------------------------------


def test_it_runs_the_image_command_and_copies_the_whole_project():
    assert SERVICES["web"]["command"] == dockerfile_cmd()
    apps = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            sources = line.split()[1:-1]
            assert not apps & {source.strip("/") for source in sources}, f"copies an app by name: {line}"


def docker_ignores(path: str, patterns: list[str]) -> bool:
    """Whether `docker build` leaves `path` (relative, with /) out of the context: the last
    matching pattern wins, `!` keeps, a pattern matching a folder covers what is in it,
    `*` and `?` stay within one path element, `**` spans any number of them."""

    def regex(pattern: str) -> re.Pattern[str]:
        out, i, pattern = "", 0, pattern.strip("/")
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            else:
                out += {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i]))
                i += 1
        return re.compile(out)

    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        compiled = regex(pattern.removeprefix("!"))
        if any(compiled.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not keep
    return ignored


def test_it_keeps_secrets_state_and_databases_out_of_the_image():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for secret_or_state in [
        ".env",
        "rop_fleet/.env",
        ".env.production",
        "prod.env",
        "var/rop_fleet.sqlite3",
        "var/demo-login.txt",
        "var/celery-queue/1.msg",
        "db.sqlite3",
        "rop_fleet.sqlite3-wal",
        ".venv/bin/python",
        ".git/config",
        "staticfiles/css/app.css",
    ]:
        assert docker_ignores(secret_or_state, patterns), secret_or_state
    # Every app (any top-level package but the tests' and benchmarks'), and what it needs.
    needed = [p for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench")]
    assert {"rop_fleet", "partners", "devices", "rop", "ropsim", "core"} <= {p.parent.name for p in needed}
    folders = [p.parent for p in needed] + [ROOT / "templates", ROOT / "static"]
    files = [f for folder in folders for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
    files += [ROOT / name for name in ("manage.py", "pyproject.toml", "constraints.txt", "bin/healthcheck")]
    left_out = [str(f.relative_to(ROOT)) for f in files if docker_ignores(str(f.relative_to(ROOT)), patterns)]
    assert not left_out


def test_it_publishes_the_proxy_alone_and_the_simulator_only_for_a_demo():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}, "gunicorn (and anything else) is reached through the proxy only"
    assert SERVICES["simulator"]["profiles"] == ["demo"]
    assert not [name for name, service in SERVICES.items() if name != "simulator" and "profiles" in service]
    assert "--control-from-anywhere" not in SERVICES["simulator"]["command"]


def test_it_runs_the_compose_services_for_real(tmp_path, smoke_database):
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (bin/test installs Debian's caddy when run as root)")
    env = production_env(tmp_path, smoke_database)
    web_port, sim_port = free_port(), free_port()
    http_port, https_port = free_port(), free_port()
    stack = Stack(tmp_path, env)

    # One-off steps: the image build's collectstatic, the migrate service, an empty queue.
    stack.run("collectstatic", [sys.executable, *dockerfile_collectstatic()[1:]])
    stack.run("migrate", command_argv("migrate", env, {}), timeout=300)
    stack.run("purge", [str(BIN / "celery"), "-A", "rop_fleet", "purge", "-f"])

    sim_changes = {"0.0.0.0": "127.0.0.1", "8900": str(sim_port), "2000": str(SIM_DEVICES)}
    beat_changes = {"/tmp/celerybeat-schedule": str(tmp_path / "celerybeat-schedule")}  # noqa: S108
    try:
        stack.start("simulator", command_argv("simulator", env, sim_changes))
        stack.start("web", command_argv("web", env, {"0.0.0.0:8000": f"127.0.0.1:{web_port}"}))
        stack.start("worker", command_argv("worker", env, {}))
        stack.start("worker-bulk", command_argv("worker-bulk", env, {}))
        stack.start("beat", command_argv("beat", env, beat_changes))
        stack.start("lan-poller", command_argv("lan-poller", env, {}))  # no LAN devices here: it must just run
        proxy_env = {name: interpolate(str(value), env) for name, value in SERVICES["proxy"]["environment"].items()}
        assert proxy_env == {"PUBLIC_BASE_URL": f"https://{HOST}"}
        caddy_home = {"XDG_DATA_HOME": str(tmp_path / "caddy-data"), "XDG_CONFIG_HOME": str(tmp_path / "caddy-config")}
        stack.start("proxy", proxy_argv(tmp_path, env, web_port, http_port, https_port), **proxy_env, **caddy_home)

        health_changes = {
            "simulator": {"127.0.0.1:8900": f"127.0.0.1:{sim_port}"},
            "web": {"127.0.0.1:8000": f"127.0.0.1:{web_port}"},
            "worker": {},
            "worker-bulk": {},
        }
        for service, changes in health_changes.items():
            stack.wait_healthy(service, healthcheck_argv(service, env, changes), timeout=60)
        assert {name for name, service in SERVICES.items() if "healthcheck" in service} == {
            "postgres",
            "redis",
            *health_changes,
        }, "a new healthcheck: run it here too"

        # An admin (the README's createsuperuser) and a partner pointed at the simulator.
        password = secrets.token_urlsafe(12)
        manage = [sys.executable, "manage.py"]
        superuser = ["createsuperuser", "--no-input", "--username", "admin", "--email", "admin@example.com"]
        stack.run("createsuperuser", [*manage, *superuser], DJANGO_SUPERUSER_PASSWORD=password)
        create_partner = (
            "import os; from partners.models import Partner; Partner.objects.create(name='Smoke Integrator',"
            f" slug='smoke', rop_base_url='http://127.0.0.1:{sim_port}', gateway_token=os.environ['ROPSIM_TOKEN'],"
            " request_budget=200)"
        )
        stack.run("create partner", [*manage, "shell", "-c", create_partner])

        # gunicorn itself (published nowhere in compose) sends plain HTTP without the proxy's
        # X-Forwarded-Proto to HTTPS; so does the proxy, to its own HTTPS port.
        login_url = f"http://127.0.0.1:{web_port}/accounts/login/"
        direct = requests.get(login_url, headers={"Host": HOST}, timeout=10, allow_redirects=False)
        assert direct.status_code == 301 and direct.headers["Location"] == f"https://{HOST}/accounts/login/"
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # Caddy's local CA
        proxied_health = ProxiedBrowser(https_port, PERSON_ADDRESS)
        wait_for(lambda: proxied_health.get("/healthz").status_code == 200, 30, "the proxy", stack)
        plain = requests.get(
            f"http://127.0.0.1:{http_port}/accounts/login/", headers={"Host": HOST}, timeout=10, allow_redirects=False
        )
        assert plain.status_code in (301, 308) and plain.headers["Location"] == f"https://{HOST}/accounts/login/"

        # The lockout keys on the client's address as the proxy saw the connection, with the user.
        # An intruder forging X-Forwarded-For (the person's address, then others) locks admin out
        # at their own real address only: the person, at another address, still logs in.
        limit = int(env.get("AXES_FAILURE_LIMIT", "5"))
        for attempt in range(limit):
            forged = f"{PERSON_ADDRESS}, 203.0.113.{attempt + 1}"
            ProxiedBrowser(https_port, INTRUDER_ADDRESS, forged_for=forged).log_in("admin", "wrong password")
        intruder = ProxiedBrowser(https_port, INTRUDER_ADDRESS, forged_for="198.51.100.77")
        assert intruder.log_in("admin", password).status_code == 429  # locked: admin at the intruder's address
        seen = (
            "from axes.models import AccessAttempt as A;"
            " print(sorted(set(A.objects.values_list('ip_address', flat=True))))"
        )
        printed = stack.run("lockout addresses", [*manage, "shell", "-c", seen]).strip().splitlines()
        assert printed[-1] == f"['{INTRUDER_ADDRESS}']", printed  # never a forged one
        browser = ProxiedBrowser(https_port, PERSON_ADDRESS, forged_for=INTRUDER_ADDRESS)
        response = browser.log_in("admin", password)
        assert response.status_code == 302 and response.headers["Location"] == "/", response.status_code
        assert "Smoke Integrator" in browser.get("/p/smoke/").text

        # Sync the fleet through the worker.
        assert browser.post("/p/smoke/sync/", {}).status_code == 302

        def synced_rows() -> int:
            rows = browser.get("/p/smoke/devices/?format=csv").text.strip().splitlines()[1:]
            return len(rows)

        wait_for(synced_rows, 60, "the simulated devices to be synced", stack)

        # A bulk refresh of every device, through the worker, until the job is done.
        response = browser.post("/p/smoke/jobs/", {"action": "refresh", "all_matching": "on", "filters": ""})
        assert response.status_code == 302, response.status_code
        job_path = response.headers["Location"]
        assert re.fullmatch(r"/p/smoke/jobs/\d+/", job_path), job_path
        wait_for(lambda: "job-state-done" in browser.get(job_path).text, 90, "the bulk job to finish", stack)
        assert "<h1>Refresh now</h1>" in browser.get(job_path).text
        # DEBUG is off: an unknown page is a plain 404, not Django's debug page.
        missing = browser.get("/no-such-page/")
        assert missing.status_code == 404 and "URLconf" not in missing.text
    finally:
        stack.stop()
