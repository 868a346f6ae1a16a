"""The deployment files agree with the README and are valid: the Compose file against
the Compose specification's JSON schema (no Docker engine here to run it), the systemd
units by `systemd-analyze verify`, and both run the processes the README's table names,
on the services and settings it documents."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def readme_commands() -> dict[str, str]:
    """The Deployment table: process -> its command."""
    section = README.split("### Deployment", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| (web|worker|beat) \| `([^`]+)`", section, re.M)
    assert {name for name, _ in rows} == {"web", "worker", "beat"}
    return dict(rows)


def normalised(argv: list[str]) -> str:
    """Host and file arguments differ by form (0.0.0.0 in a container, 127.0.0.1 behind
    nginx): compared as the README writes them."""
    out, skip = [], None
    for word in argv:
        if skip:
            out.append(skip)
            skip = None
            continue
        out.append(Path(word).name if word.startswith("/") and "bin/" in word else word)
        skip = {"--host": "HOST", "--schedule": "FILE"}.get(word)
    return " ".join(out)


def documented_settings() -> set[str]:
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def test_the_compose_file_is_valid_by_the_compose_specification():
    schema = json.loads((DEPLOY / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)  # the schema's own draft
    validator.validate(compose())  # raises with the path of what is wrong
    broken = compose()
    broken["services"]["web"]["ports"] = {"8000": 8000}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_the_compose_file_runs_what_the_readme_says():
    from postdesk.celery import app

    spec = compose()
    services = spec["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    commands = readme_commands()
    web = services["web"]["command"]
    assert web[:2] == ["sh", "-c"] and "postdesk migrate --noinput" in web[2]
    served = shlex.split(web[2].split("&&", 1)[1].replace("exec ", ""))
    assert normalised(served) == commands["web"].split(" (")[0]
    assert normalised(services["worker"]["command"]) == commands["worker"]
    assert normalised(services["beat"]["command"]) == commands["beat"]
    queues = commands["worker"].split("-Q ")[1].split()[0].split(",")
    assert sorted(queues) == sorted(q.name for q in app.conf.task_queues)
    assert "/health/ready" in " ".join(services["web"]["healthcheck"]["test"])

    env = services["web"]["environment"]
    assert env == services["worker"]["environment"] == services["beat"]["environment"]
    database = env["DATABASE_URL"]
    pg = services["postgres"]["environment"]
    assert database == (
        f"postgres://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/"
        f"{pg['POSTGRES_DB']}"
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert set(env) <= documented_settings(), set(env) - documented_settings()
    for name in ("web", "worker"):  # the uploaded files are shared
        assert "media:/data/media" in services[name]["volumes"]
    assert env["MEDIA_ROOT"] == "/data/media"
    assert "deploy/compose.yaml" in README and "deploy/systemd/" in README


def _unit(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_the_systemd_units_run_what_the_readme_says():
    commands = readme_commands()
    for process in ("web", "worker", "beat"):
        unit = _unit(DEPLOY / "systemd" / f"postdesk-{process}.service")
        assert normalised(shlex.split(unit["ExecStart"])) == commands[process].split(" (")[0]
        assert unit["EnvironmentFile"] == "/etc/postdesk/postdesk.env"
        assert unit["Restart"] == "on-failure"
    web = _unit(DEPLOY / "systemd" / "postdesk-web.service")
    assert web["ExecStartPre"].endswith("postdesk migrate --noinput")
    example = _unit(DEPLOY / "systemd" / "postdesk.env.example")
    assert set(example) <= documented_settings(), set(example) - documented_settings()


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The units as they are, with their paths pointed at this checkout's .venv (the
    installed layout of /opt/postdesk) — any other complaint fails."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (Debian's systemd) is needed: scripts/test.sh installs it"
    venv = Path(__file__).resolve().parents[3] / ".venv"
    for unit in sorted((DEPLOY / "systemd").glob("postdesk-*.*")):
        text = unit.read_text(encoding="utf-8").replace("/opt/postdesk/.venv", str(venv))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and "EnvironmentFile" not in line
    ]
    assert run.returncode == 0 and not complaints, complaints
