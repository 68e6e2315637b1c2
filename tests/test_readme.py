"""The README says what the code does: its commands run as printed, its tables match."""

from __future__ import annotations

import os
import pty
import re
import secrets
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
README = (BASE_DIR / "README.md").read_text()
RUNNABLE = re.compile(
    r"^(?:[A-Z_]+=\S+ )*(?:make manage ARGS=|\.venv/bin/python (?:manage\.py|-c) )", re.MULTILINE
)
# Long benchmarks (minutes, 100,000 comments): `make bench` runs them and tests/moderation/bench
# tests them; here their printed arguments are parsed, not run.
PARSED_ONLY = {"bench"}
# What the README's commands read and write under var/.
README_FILES = ("labels.csv", "comments.csv", "decisions.csv", "suite.csv")


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def readme_commands() -> list[str]:
    """Every manage.py command the README prints, in its order: shell lines, then inline code."""
    found: list[tuple[int, str]] = []
    for match in re.finditer(r"^```(?:sh|bash)\n(.*?)^```", README, re.MULTILINE | re.DOTALL):
        lines = match.group(1).replace("\\\n", " ").splitlines()
        for line in lines:
            command = re.sub(r"\s+#.*$", "", line).strip()
            if RUNNABLE.match(command):
                found.append((match.start(), command))
    prose = re.sub(r"^```.*?^```", lambda m: " " * len(m.group(0)), README, flags=re.M | re.S)
    for match in re.finditer(r"`([^`\n]+(?:\n[^`\n]+)?)`", prose):
        command = " ".join(match.group(1).split())
        if RUNNABLE.match(command):
            found.append((match.start(), command))
    return [command for _, command in sorted(found, key=lambda item: item[0])]


def test_no_readme_command_needs_a_python_with_django_outside_the_venv():
    code = "\n".join(body for _, body in _fenced_blocks(README))
    code += "\n".join(re.findall(r"`([^`]+)`", README))
    assert not re.search(r"(?<!\.venv/bin/)python3? manage\.py", code), (
        "print `make manage ARGS=…` or `.venv/bin/python manage.py …`: a bare python has no Django"
    )
    assert "make manage ARGS=" in code and ".venv/bin/python manage.py" in code


def test_the_readme_prints_the_commands_a_deployment_and_a_cms_need():
    commands = readme_commands()
    for needed in ("migrate", "createsuperuser", "collectstatic", "create_api_key"):
        assert any(needed in command for command in commands), needed


def _env(tmp_path: Path) -> dict[str, str]:
    """The production template filled in for a throw-away SQLite database of this test's own."""
    filled = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmem://",
        "VAR_DIR": str(tmp_path / "var"),
    }
    (tmp_path / "production.env").write_text(fill_template(filled))
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "VAR_DIR", "MAKEFLAGS"}
    }
    return {**clean, "DJANGO_ENV_FILE": str(tmp_path / "production.env")}


def fill_template(values: dict[str, str]) -> str:
    """.env.example with these variables set (each must be in it, set or commented out)."""
    text = (BASE_DIR / ".env.example").read_text()
    for name, value in values.items():
        # Escaped, so that a value's backslashes are not read as group references.
        line = f"{name}={value}".replace("\\", "\\\\")
        text, count = re.subn(rf"^(?:# )?{name}=.*$", line, text, flags=re.MULTILINE)
        assert count == 1, f".env.example should list {name} once"
    return text


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S602 - the README's own command line, as a reader types it
        command,
        shell=True,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        executable="/bin/bash",
    )


def _run_in_terminal(command: str, env: dict[str, str], answers: list[tuple[str, str]]) -> str:
    """Run an interactive command in a pseudo-terminal, answering each prompt as it appears."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(  # noqa: S602 - the README's own command line
        command,
        shell=True,
        cwd=BASE_DIR,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
        executable="/bin/bash",
    )
    os.close(terminal)
    output, pending = "", list(answers)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 4096).decode(errors="replace")
                except OSError:  # the terminal closed: the command ended
                    break
                if not chunk:
                    break
                output += chunk
            while pending and pending[0][0] in output.rsplit("\n", 1)[-1]:
                os.write(controller, (pending.pop(0)[1] + "\n").encode())
            if process.poll() is not None and not ready:
                break
        process.wait(timeout=30)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    return output


@pytest.mark.slow
def test_every_manage_py_command_in_the_readme_runs_as_printed(tmp_path):
    commands = readme_commands()
    env = _env(tmp_path)
    # What the README's examples name: the site of its examples and a moderator called maria.
    setup = _run(
        ".venv/bin/python manage.py migrate --noinput && .venv/bin/python manage.py shell -c "
        + shlex.quote(
            "from django.contrib.auth.models import User; from moderation.models import Site; "
            "Site.objects.create(name='News', domain='news.example.com'); "
            "Site.objects.create(name='Demo', domain='demo.localhost'); "
            "User.objects.create_user('maria', is_staff=True)"
        ),
        env,
    )
    assert setup.returncode == 0, setup.stderr
    # The README's files live where `make run` keeps its state; this test leaves none behind.
    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    made = [var / name for name in README_FILES if not (var / name).exists()]
    (var / "comments.csv").exists() or (var / "comments.csv").write_text(
        "text\nGood reporting. Who inspects the prisons?\nBuy cheap pills at spam.example now\n"
    )
    ran = []
    try:
        for command in commands:
            if command.startswith(".venv/bin/python -c "):
                result = _run(command, env)
                assert result.returncode == 0, f"{command}\n{result.stderr}"
                continue
            if "make manage ARGS=" in command:
                words = shlex.split(shlex.split(command.split("ARGS=", 1)[1])[0])
            else:
                words = shlex.split(command.split("manage.py", 1)[1])
            if words[0] in PARSED_ONLY:
                _parse_only(words, env)
                continue
            if words[0] == "createsuperuser":
                answers = [
                    ("Username", "first-admin"),
                    ("Email address", "admin@example.com"),
                    ("Password:", "correct horse battery staple 42"),
                    ("Password (again)", "correct horse battery staple 42"),
                ]
                output = _run_in_terminal(command, env, answers)
                assert "Superuser created successfully." in output
            else:
                result = _run(command, env)
                assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
            ran.append(words[0])
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    assert {"migrate", "createsuperuser", "collectstatic", "create_api_key"} <= set(ran)
    assert (tmp_path / "var" / "static" / "admin" / "css" / "base.css").is_file()


def _parse_only(words: list[str], env: dict[str, str]) -> None:
    """The command exists and takes the printed arguments."""
    check = (
        "import sys, django; django.setup(); "
        "from django.core.management import load_command_class; "
        "command = load_command_class('moderation', sys.argv[1]); "
        "command.create_parser('manage.py', sys.argv[1]).parse_args(sys.argv[2:])"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, *words],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "project.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# "| `THREAT` | the toxicity model's `threat` probability[, combined with …] |"
SERVED_ROW = r"^\| `([A-Z_]+)` \| the (\w+) model's `(\w+)` probability(?:,| \|)"


def test_the_attribute_table_lists_exactly_the_served_attributes():
    from moderation.perspective.attributes import OTHER_PERSPECTIVE_ATTRIBUTES, supported_attributes

    section = README.split("### Attributes", 1)[1].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    served = {
        (attribute, model, label)
        for attribute, model, label in re.findall(SERVED_ROW, section, re.MULTILINE)
    }
    expected = {
        (attribute, scored_by.model.name, scored_by.label)
        for attribute, scored_by in supported_attributes().items()
    }
    assert served == expected
    refused_row = next(line for line in section.splitlines() if "SEXUALLY_EXPLICIT" in line)
    refused = set(re.findall(r"`([A-Z_]+)`", refused_row.split("|")[1]))
    assert refused <= OTHER_PERSPECTIVE_ATTRIBUTES
    assert not refused & set(supported_attributes())
