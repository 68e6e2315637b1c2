import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
import redis

from project.devstack import (
    DevstackError,
    RedisServer,
    Service,
    Supervisor,
    database_url,
    free_port,
    port_accepts,
    redis_answers,
    web_port,
)
from project.env import env_database


def test_free_port_returns_a_port_that_can_be_bound():
    port = free_port()

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
        assert sock.getsockname()[1] == port


def test_the_web_port_is_a_free_one_unless_port_is_set():
    chosen = web_port({"PORT": ""})
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", chosen))  # free: it binds
    port = free_port()
    assert web_port({"PORT": str(port)}) == port


def test_a_taken_port_fails_at_once_saying_so():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        taken = listener.getsockname()[1]
        with pytest.raises(DevstackError, match=f"PORT={taken} is taken.*leave PORT unset"):
            web_port({"PORT": str(taken)})


@pytest.mark.parametrize("raw", ["http", "0", "70000", "-1"])
def test_a_port_that_is_not_a_port_number_is_refused(raw):
    with pytest.raises(DevstackError, match="is not a TCP port"):
        web_port({"PORT": raw})


def test_the_embedded_redis_server_answers_ping_on_a_free_port_and_stops(tmp_path: Path):
    server = RedisServer.start_embedded(tmp_path)
    try:
        assert server.embedded
        port = redis.connection.parse_url(server.url)["port"]
        assert port != 6379
        client = redis.Redis.from_url(server.url)
        assert client.ping() is True
        client.set("greeting", "hello")
        assert client.get("greeting") == b"hello"
        client.close()
    finally:
        server.stop()

    assert server.service is not None and not server.service.running
    assert not port_accepts("127.0.0.1", port)
    assert not redis_answers(server.url)
    # --save "" and --appendonly no: nothing is written to its directory but its log.
    assert [path.name for path in tmp_path.iterdir()] == [f"redis-{port}.log"]


def test_two_embedded_redis_servers_get_different_ports(tmp_path: Path):
    with (
        RedisServer.start_embedded(tmp_path / "a") as first,
        RedisServer.start_embedded(tmp_path / "b") as second,
    ):
        assert first.url != second.url
        assert redis_answers(first.url) and redis_answers(second.url)


def test_an_external_redis_url_is_used_as_is(tmp_path: Path):
    with RedisServer.start_embedded(tmp_path) as embedded:
        external = RedisServer.external(embedded.url)
        assert external.url == embedded.url
        assert not external.embedded
        external.stop()
        assert redis_answers(embedded.url), "stopping an external server must leave it running"


def test_a_redis_url_where_nothing_listens_raises():
    with pytest.raises(DevstackError, match="No Redis server answers"):
        RedisServer.external(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/0", "redis://127.0.0.1:port/0"])
def test_a_malformed_redis_url_raises(url: str):
    with pytest.raises(DevstackError, match="is not a Redis URL"):
        RedisServer.external(url)


def test_redis_url_in_the_environment_wins_over_the_embedded_server(tmp_path: Path):
    with RedisServer.start_embedded(tmp_path / "external") as running:
        chosen = RedisServer.for_environment(tmp_path / "unused", {"REDIS_URL": running.url})
        assert chosen.url == running.url
        assert not chosen.embedded
    assert not (tmp_path / "unused").exists()


def test_stopping_a_service_ends_the_children_in_its_process_group(tmp_path: Path):
    # The parent ignores SIGTERM and leaves a sleeping child, as a stuck worker might.
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    service = Service("stubborn", [sys.executable, "-c", script], log_path=tmp_path / "log")
    service.start()
    service.wait_until(lambda: service.log_text().strip().isdigit(), what="child pid", timeout=10)
    child_pid = int(service.log_text())

    service.stop(timeout=0.5)

    assert not service.running
    assert not Path(f"/proc/{child_pid}").exists() or _is_zombie(child_pid)


def test_waiting_on_a_service_that_exits_reports_its_log(tmp_path: Path):
    service = Service(
        "failing",
        [sys.executable, "-c", "print('port already in use'); raise SystemExit(3)"],
        log_path=tmp_path / "log",
    )
    service.start()

    with pytest.raises(DevstackError, match="port already in use"):
        service.wait_until(lambda: False, what="readiness", timeout=10)
    service.stop()


def _is_zombie(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/app/var/test-db.sqlite3"},
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "test_comments",
            "USER": "postgres",
            "PASSWORD": "p@ss:word/",
            "HOST": "127.0.0.1",
            "PORT": "5432",
        },
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "test_test",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": 5433,
        },
    ],
)
def test_database_url_names_the_same_database_as_the_connection(settings_dict, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url(settings_dict))

    parsed = env_database("DATABASE_URL", "sqlite:///unused.sqlite3")

    assert parsed["ENGINE"] == settings_dict["ENGINE"]
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        assert str(parsed.get(key) or "") == str(settings_dict.get(key) or ""), key


def test_database_url_refuses_an_engine_it_cannot_describe():
    with pytest.raises(DevstackError, match="mysql"):
        database_url({"ENGINE": "django.db.backends.mysql", "NAME": "test"})


def test_the_supervisor_restarts_a_killed_service_and_ends_what_its_group_left(tmp_path: Path):
    # A parent with a child, as a worker with its pool process.
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print('child', child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    service = Service("parent", [sys.executable, "-c", script], log_path=tmp_path / "log")
    supervisor = Supervisor([service], first_backoff=0.1)
    service.start()
    try:
        service.wait_until(lambda: "child" in service.log_text(), what="child pid", timeout=10)
        first_pid, first_child = service.pid, int(service.log_text().split()[1])
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        supervisor.start_thread(every=0.05)
        deadline = time.monotonic() + 15
        while service.log_text().count("child") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.running and service.pid != first_pid
        assert supervisor.restarts == {"parent": 1}
        # The orphaned child of the killed parent was ended before the restart.
        assert not Path(f"/proc/{first_child}").exists() or _is_zombie(first_child)
    finally:
        supervisor.stop()
    assert not service.running


def test_the_supervisor_backs_off_a_service_that_keeps_failing(tmp_path: Path):
    service = Service(
        "failing", [sys.executable, "-c", "raise SystemExit(1)"], log_path=tmp_path / "log"
    )
    supervisor = Supervisor([service], first_backoff=0.2, max_backoff=0.4)
    service.start()
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.02)
    supervisor.stop()
    # About 0.2 + 0.4 + 0.4 + ... s apart: a handful of restarts, not hundreds.
    assert 2 <= supervisor.restarts["failing"] <= 8
