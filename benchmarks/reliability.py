"""Reliability under floods, stops and kills: `groundbot run` against the fake Bot API on 127.0.0.1.

Each scenario runs twice in the same invocation: "before" (GROUNDBOT_FAIR_SCHEDULING=false:
python-telegram-bot's FIFO processor and Updater, as the bot ran before issue 10) and
"after" (the defaults). Prints the figures and writes them into benchmarks/RESULTS.md.

    python benchmarks/reliability.py [--scale 1.0] [--no-write]
    python benchmarks/reliability.py --only sends [--no-write]

``--only sends`` runs one scenario on the current code alone (issue 26): 500 questions
while every 10th sendMessage fails in turn with 429 (retry_after 1), 502, or a connection
closed with no answer; then a restart. Lost and answered-twice are counted before and
after the restart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bot_process import BotProcess, bot_env  # noqa: E402
from benchmarks.flood import (  # noqa: E402
    bystander_waits,
    group_flood,
    people,
    questions,
    replies_to,
    trickle,
)
from benchmarks.results import replace_section  # noqa: E402
from benchmarks.seed import SEED_KNOWLEDGE  # noqa: E402
from benchmarks.telegram_double import Fault  # noqa: E402
from benchmarks.telegram_server import FakeTelegram  # noqa: E402
from benchmarks.telegram_updates import private_message  # noqa: E402


def start(telegram: FakeTelegram, tmp: Path, name: str, data: Path, fair: bool, **settings: str) -> BotProcess:
    kb = tmp / "kb"
    if not kb.exists():
        kb.mkdir()
        (kb / "t.yaml").write_text(SEED_KNOWLEDGE, encoding="utf-8")
    env = bot_env(telegram, data, knowledge=str(kb), fair_scheduling=str(fair).lower(), **settings)
    mark = telegram.api.mark()
    proc = BotProcess(["run"], env, tmp, tmp / f"{name}.log").start()
    proc.wait_until(lambda: any(c.method == "getUpdates" for c in telegram.api.calls[mark:]), 20, "first poll")
    return proc


def timed_stop(proc: BotProcess, limit: float = 45.0) -> float:
    started = time.monotonic()
    try:
        proc.stop(timeout=limit)
    except AssertionError:
        return float("inf")
    return time.monotonic() - started


def flood(fair: bool, kind: str, n: int, tmp: Path) -> dict:
    with FakeTelegram() as telegram:
        telegram.api.limit_groups(20)
        proc = start(telegram, tmp, f"{kind}-{fair}", tmp / f"data-{kind}-{fair}", fair)
        if kind == "group":
            telegram.push(*group_flood(n, people(50_000, 20, "Member")))
        else:
            flooder = people(60_000, 1, "Flooder")[0]
            telegram.push(*[private_message(f"question number {i}?", sender=flooder) for i in range(n)])
        pushed = trickle(telegram, questions(people(40_000, 20, "Bystander")), every=0.2)
        waits = bystander_waits(telegram, pushed, timeout=30)
        stop = timed_stop(proc)
        proc.kill()
    return {"median": waits.median, "p95": waits.p95, "max": waits.max, "missing": waits.missing, "stop": stop}


def kill(fair: bool, n: int, kill_after: int, tmp: Path) -> dict:
    with FakeTelegram() as telegram:
        data = tmp / f"data-kill-{fair}"
        askers = people(80_000, n, "Asker")
        ids = {p["id"] for p in askers}
        first = start(telegram, tmp, f"kill1-{fair}", data, fair)
        telegram.push(*questions(askers))
        telegram.api.wait_for_count("sendMessage", kill_after, timeout=120)
        first.kill()
        second = start(telegram, tmp, f"kill2-{fair}", data, fair)
        deadline = time.monotonic() + n / 25 + 20
        while 0 in replies_to(telegram, ids).values() and time.monotonic() < deadline:
            time.sleep(0.2)
        timed_stop(second)
        second.kill()
        counts = replies_to(telegram, ids)
    return {"lost": sum(1 for c in counts.values() if c == 0), "twice": sum(c - 1 for c in counts.values() if c > 1)}


# Every 10th sendMessage fails, in turn: flood control, a bad gateway, a connection dropped with no answer.
TRANSIENT = [
    Fault(429, "Too Many Requests: retry after 1", retry_after=1),
    Fault(502, "Bad Gateway"),
    Fault(0, "connection dropped", drop=True),
]


def failing_sends(n: int, tmp: Path) -> dict:
    """``n`` questions while every 10th send fails transiently; lost and doubled, before and after a restart."""
    with FakeTelegram() as telegram:
        data = tmp / "data-sends"
        askers = people(90_000, n, "Asker")
        ids = {p["id"] for p in askers}
        telegram.api.fail_every("sendMessage", 10, TRANSIENT)
        first = start(telegram, tmp, "sends1", data, True)
        telegram.push(*questions(askers))
        deadline = time.monotonic() + n / 10 + 30
        settled, last = time.monotonic(), -1
        # Until every asker has a reply, or nothing more has been sent for 15 s.
        while 0 in replies_to(telegram, ids).values() and time.monotonic() < deadline:
            sent = len(telegram.api.calls_to("sendMessage"))
            if sent != last:
                settled, last = time.monotonic(), sent
            elif time.monotonic() - settled > 15:
                break
            time.sleep(0.2)
        counts = replies_to(telegram, ids)
        before = {"lost": sum(1 for c in counts.values() if c == 0), "twice": sum(c - 1 for c in counts.values() if c > 1)}
        exit_code = first.stop(timeout=45)
        second = start(telegram, tmp, "sends2", data, True)
        deadline = time.monotonic() + 30
        while 0 in replies_to(telegram, ids).values() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # anything replayed twice would show by now
        timed_stop(second)
        second.kill()
        counts = replies_to(telegram, ids)
    after = {"lost": sum(1 for c in counts.values() if c == 0), "twice": sum(c - 1 for c in counts.values() if c > 1)}
    failed = sum(1 for c in telegram.api.calls_to("sendMessage") if c.status != 200)
    return {"before": before, "after": after, "failed_sends": failed, "exit": exit_code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the flood and queue sizes")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--only", choices=["sends"], help="run one scenario on the current code only")
    args = parser.parse_args()
    if args.only == "sends":
        return sends_main(args)
    g, p, k = int(200 * args.scale), int(2000 * args.scale), int(1000 * args.scale)
    lines = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for fair in (False, True):
            label = "after" if fair else "before"
            for kind, n in (("group", g), ("private", p)):
                r = flood(fair, kind, n, tmp)
                lines.append(f"| {label} | {kind} flood of {n} | {r['median']:.2f} | {r['p95']:.2f} | {r['max']:.2f} "
                             f"| {r['missing']} | {r['stop']:.1f} | | |")
                print(lines[-1], flush=True)
            r = kill(fair, k, int(0.3 * k), tmp)
            lines.append(f"| {label} | SIGKILL after {int(0.3 * k)} of {k}, restart | | | | | | {r['lost']} | {r['twice']} |")
            print(lines[-1], flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    header = [
        "", f"## Reliability (issue 10): {dt.date.today().isoformat()}", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"shared with other jobs; code {commit}. Command: `python benchmarks/reliability.py --scale {args.scale}`.",
        "Bystanders: 20 private askers, one every 0.2 s during the flood; seconds from their question to the reply "
        "(inf: some got none within 30 s; unanswered: how many).",
        "Before: GROUNDBOT_FAIR_SCHEDULING=false (PTB's FIFO processor and Updater); after: defaults.",
        "Stop: seconds from SIGTERM to exit (inf: still running after 45 s, then killed).", "",
        "| run | scenario | bystanders median s | p95 s | max s | unanswered | stop s | lost | answered twice |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    footer = [
        "",
        "The stop column is measured once the bystanders are answered; a stop with answers still",
        "waiting is checked by tests/reliability (at most 10 s, nothing lost after the restart).",
    ]
    if not args.no_write:
        replace_section("reliability", "\n".join(header + lines + footer))


def sends_main(args: argparse.Namespace) -> None:
    n = int(500 * args.scale)
    with tempfile.TemporaryDirectory() as name:
        r = failing_sends(n, Path(name))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    line = (f"| {commit} | {n} | {r['failed_sends']} | {r['before']['lost']} | {r['before']['twice']} "
            f"| {r['after']['lost']} | {r['after']['twice']} |")
    print(line, flush=True)
    if args.no_write:
        return
    replace_section("reliability-sends", "\n".join([
        "", f"## Failing sends (issue 26): {dt.date.today().isoformat()}", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, shared with "
        f"other jobs. Command: `python benchmarks/reliability.py --only sends --scale {args.scale}`.",
        "One question from each of n askers while every 10th sendMessage fails in turn with 429 (retry_after 1), "
        "502, or a connection closed with no answer (not delivered); then a SIGTERM and a restart.", "",
        "| code | questions | failed sends | lost | answered twice | lost after restart | twice after restart |",
        "|---|---|---|---|---|---|---|",
        line,
    ]))


if __name__ == "__main__":
    main()
