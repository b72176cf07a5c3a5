"""The image from deploy/Dockerfile, built by a real container engine and run as compose.yaml runs it.

The container shares the host's network (``--network host``) so it reaches the fake Bot API
on this machine's 127.0.0.1. Without an engine these tests skip, except under CI, where
.ci/container-engine provides one and a missing engine is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from tests.deploy.files import DEPLOY, ROOT, compose_service, filled_in, seconds
from tests.deploy.test_container import QUESTION
from tests.e2e.test_webhook import free_port
from tests.telegram_fakes import TOKEN, private_message

IMAGE = "groundbot:tests"
BUILD_TIMEOUT = 900  # an uncached build downloads every dependency
ENGINE_HELP = ".ci/container-engine installs and starts one"
# A token no file in the checkout holds, planted in the copy's deploy/.env.
OPERATOR_TOKEN = f"{uuid.uuid4().int % 10**9}:{uuid.uuid4().hex}{uuid.uuid4().hex[:3]}"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def docker(*args: str, timeout: float = 60, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run the docker command line; with ``check``, a failure raises with its output."""
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and done.returncode != 0:
        output = done.stdout[-3000:] + done.stderr[-3000:]
        raise AssertionError(f"docker {' '.join(args[:2])} exited {done.returncode}:\n{output}")
    return done


def engine_problem() -> str | None:
    """Why no container engine can be used here, or None when one answers."""
    if shutil.which("docker") is None:
        return "no docker command on PATH"
    try:
        info = docker("info", "--format", "{{.ServerVersion}}", timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 30 s"
    if info.returncode != 0:
        return f"docker info: {(info.stderr.strip().splitlines() or ['failed'])[-1]}"
    return None


@pytest.fixture(scope="module")
def engine() -> None:
    problem = engine_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI is set but no container engine answers ({problem}); {ENGINE_HELP}")
    pytest.skip(f"no container engine answers ({problem}); {ENGINE_HELP}")


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout, with what must never reach the builder planted in it.

    A git directory and the operator's deploy/.env holding a token of their own
    (OPERATOR_TOKEN): .dockerignore must keep both out of the build context.
    """
    root = tmp_path_factory.mktemp("context") / "groundbot"
    shutil.copytree(
        ROOT,
        root,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info", ".env"
        ),
    )
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "deploy" / ".env").write_text(
        filled_in((DEPLOY / "example.env").read_text(encoding="utf-8"), token=OPERATOR_TOKEN), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def image(engine: None, context: Path) -> str:
    """The image, built the way compose.yaml builds it: deploy/Dockerfile in the checkout's root."""
    service = compose_service()
    assert (DEPLOY / service["build"]["context"]).resolve() == ROOT
    build = docker(
        "build",
        "--file",
        str(context / service["build"]["dockerfile"]),
        "--tag",
        IMAGE,
        str(context),
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert build.returncode == 0, f"the image did not build:\n{build.stdout[-4000:]}{build.stderr[-4000:]}"
    return IMAGE


def test_the_build_context_leaves_out_the_git_directory_and_the_env_file_with_the_token(image, context, tmp_path):
    # The same context, with a Dockerfile that copies all of it: whatever the builder was sent.
    probe = f"groundbot-context-probe:{uuid.uuid4().hex[:12]}"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {image}\nCOPY . /context\n", encoding="utf-8")
    docker("build", "--file", str(dockerfile), "--tag", probe, str(context), timeout=300)
    try:
        listing = docker("run", "--rm", "--entrypoint", "find", probe, "/context", "-maxdepth", "2").stdout.split()
        found = docker("run", "--rm", "--entrypoint", "grep", probe, "-rl", OPERATOR_TOKEN, "/context", check=False)
    finally:
        docker("rmi", "--force", probe, check=False)
    assert "/context/deploy/Dockerfile" in listing and "/context/knowledge/sources" in listing
    assert "/context/.git" not in listing
    assert "/context/deploy/.env" not in listing
    assert found.returncode == 1 and found.stdout == "", f"the token reached the builder in {found.stdout}"


def test_the_image_runs_as_its_fixed_user_and_its_health_check_is_the_groundbot_health_command(image):
    config = json.loads(docker("image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Healthcheck"]["Test"] == ["CMD", "groundbot", "health"]
    assert not any(v.startswith(("GROUNDBOT_TOKEN=", "GROUNDBOT_WEBHOOK_SECRET=")) for v in config["Env"])
    assert docker("run", "--rm", "--entrypoint", "id", image, "-u").stdout.strip() == "10001"


def test_run_check_in_the_image_loads_the_knowledge_volume_and_opens_the_data_volume(image, tmp_path):
    claims = KnowledgeBase.load(ROOT / "knowledge" / "sources")
    try:
        expected = f"OK: knowledge: {len(claims)} claims from {len(claims.sources)} source(s) in /knowledge"
        _, texts = claims.embedded(tmp_path)
    finally:
        claims.close()
    check = docker("run", "--rm", "--env", f"GROUNDBOT_TOKEN={TOKEN}", image, "run", "--check")
    assert check.returncode == 0
    # The image carries the semantic tier, as every install does; a new data volume has no vectors yet.
    semantic = f"OK: semantic tier: 0 of {texts} texts embedded in /data; the rest at start-up"
    assert check.stdout.splitlines()[1:] == [expected, semantic, "OK: event log /data/events.db is writable"], (
        check.stdout
    )
    assert TOKEN not in check.stdout + check.stderr


def test_run_check_in_the_image_without_a_token_exits_2_and_says_which_setting(image):
    check = docker("run", "--rm", image, "run", "--check", check=False)
    assert check.returncode == 2
    assert "GROUNDBOT_TOKEN" in check.stderr


def compose_run_options(service: dict) -> list[str]:
    """compose.yaml's isolation settings as `docker run` options."""
    options = ["--init"] if service.get("init") else []
    if service.get("read_only"):
        options.append("--read-only")
    options += [f"--tmpfs={path}" for path in service.get("tmpfs", [])]
    options += [f"--cap-drop={cap}" for cap in service.get("cap_drop", [])]
    options += [f"--security-opt={opt}" for opt in service.get("security_opt", [])]
    return options


@pytest.fixture
def container_name() -> Iterator[str]:
    name = f"groundbot-test-{uuid.uuid4().hex[:12]}"
    yield name
    docker("rm", "--force", "--volumes", name, check=False)


def wait_for_call(telegram, container: str, method: str, timeout: float):
    """The fake Bot API's first ``method`` call, failing at once with the logs if the container exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return telegram.api.wait_for(method, timeout=1)
        except AssertionError:
            state = json.loads(docker("inspect", "--format", "{{json .State}}", container).stdout)
            if not state["Running"]:
                logs = docker("logs", container, check=False)
                raise AssertionError(f"the container exited {state['ExitCode']}:\n{logs.stdout}{logs.stderr}") from None
            if time.monotonic() > deadline:
                raise


def health(name: str) -> dict:
    return json.loads(docker("inspect", "--format", "{{json .State.Health}}", name).stdout)


def test_the_container_answers_a_question_through_the_fake_bot_api_reports_healthy_and_stops_cleanly(
    image, context, fake_telegram, container_name, tmp_path
):
    service = compose_service()
    dot_env = tmp_path / ".env"
    dot_env.write_text(
        filled_in((DEPLOY / "example.env").read_text(encoding="utf-8"), token=TOKEN, base_url=fake_telegram.base_url),
        encoding="utf-8",
    )
    environment = {k: str(v) for k, v in service["environment"].items()}
    assert environment["GROUNDBOT_LISTEN"] == "0.0.0.0"
    # On the host's network: loopback only, and a free port (8080 may be taken on a test machine).
    environment.update(GROUNDBOT_LISTEN="127.0.0.1", GROUNDBOT_HEALTH_PORT=str(free_port()))
    docker(
        "run",
        "--detach",
        "--name",
        container_name,
        "--network",
        "host",
        "--env-file",
        str(dot_env),
        *[f"--env={k}={v}" for k, v in environment.items()],
        "--volume",
        f"{context / 'knowledge' / 'sources'}:/knowledge:ro",
        *compose_run_options(service),
        # The image's own HEALTHCHECK command, run every second rather than every 30 s.
        "--health-interval",
        "1s",
        "--health-start-period",
        "0s",
        image,
    )

    wait_for_call(fake_telegram, container_name, "getUpdates", timeout=60)
    fake_telegram.push(private_message(QUESTION))
    card = wait_for_call(fake_telegram, container_name, "sendMessage", timeout=30)
    assert card.text.startswith("<b>According to Kyiv, the Russian army consumes")

    deadline = time.monotonic() + 30
    while (state := health(container_name))["Status"] != "healthy":
        assert state["Status"] == "starting" and time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["Log"][-1]["ExitCode"] == 0 and state["Log"][-1]["Output"].startswith("healthy (")

    grace = seconds(service["stop_grace_period"])
    docker("stop", "--time", str(int(grace)), container_name, timeout=grace + 30)
    stopped = json.loads(docker("inspect", "--format", "{{json .State}}", container_name).stdout)
    assert stopped["ExitCode"] == 0, stopped
    logs = docker("logs", container_name)
    assert "Stopped; event log closed." in logs.stdout + logs.stderr
    assert TOKEN not in logs.stdout + logs.stderr
    data = docker("run", "--rm", "--volumes-from", container_name, "--entrypoint", "ls", image, "/data").stdout
    assert "events.db" in data.split()
