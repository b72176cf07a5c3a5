"""The container: the image's entry point, run with the environment compose.yaml gives it.

The last test needs no container engine (test_image.py builds and runs the image for
real): it does what `docker compose up` would do at run time, minus the isolation. It takes
ENTRYPOINT + CMD, the image's ENV, the .env made from example.env and compose's
`environment:`, maps the volumes to temporary directories, and runs that command line
against the fake Bot API; then the HEALTHCHECK command; then the STOPSIGNAL, which must
stop the bot within compose's stop_grace_period.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess

import pytest

from tests.conftest import listening
from tests.deploy.files import DEPLOY, ROOT, compose_service, dockerfile, env_file, filled_in, interpolate, seconds
from tests.e2e.test_webhook import free_port
from tests.telegram_fakes import TOKEN, BotProcess, groundbot_command, private_message

QUESTION = "How many artillery shells does Russia fire per day?"  # answered by the bundled knowledge


def test_the_image_runs_as_a_fixed_non_root_user_with_no_secret_baked_in():
    image = dockerfile()
    assert image.base.startswith("python:3.11-slim")
    assert image.user and image.user.split(":")[0] not in ("root", "0")
    assert re.fullmatch(r"\d+:\d+", image.user), "a numeric user, so runAsNonRoot checks can verify it"
    assert not any(k in image.env for k in ("GROUNDBOT_TOKEN", "GROUNDBOT_WEBHOOK_SECRET"))
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG GROUNDBOT_TOKEN" not in text and not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text)


def test_knowledge_and_data_are_volumes_the_settings_point_at():
    image = dockerfile()
    assert {"/data", "/knowledge"} <= set(image.volumes)
    assert image.env["GROUNDBOT_DATA_DIR"] == "/data" and image.env["GROUNDBOT_KNOWLEDGE"] == "/knowledge"
    assert image.env["GROUNDBOT_LISTEN"] == "0.0.0.0"  # reachable through the published ports
    assert {8443, int(image.env["GROUNDBOT_HEALTH_PORT"])} <= set(image.expose)


def test_everything_the_image_copies_is_in_the_build_context():
    service = compose_service()
    context = (DEPLOY / service["build"]["context"]).resolve()
    assert context == ROOT
    assert (context / service["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    image = dockerfile()
    assert image.copies
    for source in image.copies:
        assert (context / source).exists(), f"COPY {source}: not in the build context"
    # At the context's root, where every builder reads it; BuildKit alone would read a
    # deploy/Dockerfile.dockerignore, and prefer it, so there must be none.
    ignore = (context / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "**/.env"} <= set(ignore)  # never sent to the builder
    assert not (DEPLOY / "Dockerfile.dockerignore").exists()


def test_compose_publishes_only_on_loopback_and_gives_the_bot_time_to_stop():
    service = compose_service()
    for mapping in service["ports"]:
        assert mapping.startswith("127.0.0.1:"), mapping
    published = {int(m.rsplit(":", 1)[1]) for m in service["ports"]}
    assert published == {8443, int(service["environment"]["GROUNDBOT_HEALTH_PORT"])}
    assert seconds(service["stop_grace_period"]) >= 30
    assert service["restart"] == "unless-stopped" and service["read_only"] is True
    assert service["cap_drop"] == ["ALL"] and "no-new-privileges:true" in service["security_opt"]
    assert service["env_file"] == ".env"  # copied from example.env; ignored by git
    knowledge_host = interpolate(next(v for v in service["volumes"] if v.endswith(":/knowledge:ro")).rsplit(":", 2)[0])
    assert (DEPLOY / knowledge_host).resolve() == ROOT / "knowledge" / "sources"


@pytest.fixture
def container(fake_telegram, tmp_path):
    """The container's command line and environment, its volumes and ports mapped onto this machine."""
    image, service = dockerfile(), compose_service()
    volumes = {"/data": tmp_path / "volume-data", "/knowledge": tmp_path / "volume-knowledge"}
    volumes["/data"].mkdir()
    shutil.copytree(ROOT / "knowledge" / "sources", volumes["/knowledge"])  # compose's default knowledge
    dot_env = tmp_path / ".env"
    dot_env.write_text(
        filled_in((DEPLOY / "example.env").read_text(encoding="utf-8"), token=TOKEN, base_url=fake_telegram.base_url),
        encoding="utf-8",
    )

    # What the process inside sees: the base image's PATH and locale, then the image's ENV,
    # then env_file, then environment:, each overriding the one before, as in Compose.
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    env.update(image.env)
    env.update(env_file(dot_env))
    env.update({k: str(v) for k, v in service["environment"].items()})
    # Now map the container's paths and ports onto this machine.
    for key, value in env.items():
        if value in volumes:
            env[key] = str(volumes[value])
    assert env["GROUNDBOT_HEALTH_PORT"] == "8080" and env["GROUNDBOT_LISTEN"] == "0.0.0.0"
    health_port = free_port()
    env["GROUNDBOT_HEALTH_PORT"] = str(health_port)  # 8080 may be taken on a test machine
    env["GROUNDBOT_LISTEN"] = "127.0.0.1"  # the tests touch loopback only
    workdir = volumes.get(image.workdir, tmp_path)
    return image, service, env, workdir, health_port


def test_the_entry_point_answers_from_the_knowledge_volume_reports_healthy_and_stops_on_the_stop_signal(
    container, fake_telegram, tmp_path
):
    image, service, env, workdir, health_port = container
    command = image.entrypoint + image.cmd
    assert command == ["groundbot", "run"]
    bot = BotProcess(command[1:], env, workdir, tmp_path / "container.log").start()
    try:
        bot.wait_until(lambda: bool(fake_telegram.api.calls_to("getUpdates")), what="the first getUpdates")
        bot.wait_until(lambda: listening(health_port), what="the health endpoint")

        fake_telegram.push(private_message(QUESTION))
        card = fake_telegram.api.wait_for("sendMessage")
        assert card.text.startswith("<b>According to Kyiv, the Russian army consumes")

        assert image.healthcheck[0] == "groundbot"
        probe = subprocess.run(
            [*groundbot_command(), *image.healthcheck[1:]],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert probe.returncode == 0, probe.stdout + probe.stderr
        assert probe.stdout.startswith("healthy (")

        assert bot.stop(getattr(signal, image.stopsignal), timeout=seconds(service["stop_grace_period"])) == 0
    finally:
        bot.kill()
    assert (workdir / "events.db").is_file()
    assert "Stopped; event log closed." in bot.log and TOKEN not in bot.log
