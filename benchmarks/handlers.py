"""Throughput of the handler path: an update in, the Bot API call out, recorded.

    .venv/bin/python benchmarks/handlers.py [--updates 3000] [--rounds 5] [--claims 10000] [--no-write]
    .venv/bin/python benchmarks/handlers.py --semantic

For the bundled knowledge and for a synthetic store of ``--claims`` claims (benchmarks/
synthetic.py, cached under benchmarks/out/), on one core (the process pins itself to
CPU 0), one update at a time:

- ``kb.answer``: the bare matcher call, no Telegram (the baseline);
- ``+ event log``: the matcher and the logged question (SQLite WAL, one commit each);
- ``handler path``: ``Update.de_json`` of the JSON Telegram sends, then
  ``Application.process_update`` through groundbot's real handlers, rendering, event log,
  ExtBot, rate limiter and a recording ``BaseRequest`` that answers like Telegram.

The rate limiter is groundbot's AIORateLimiter with both flood limits set to 0: its code
runs, but it does not pace, because the 30 messages/s it would hold us to are Telegram's
rule, not our cost. Questions are private-chat messages from 50 users; the bundled run
cycles through every phrasing in the knowledge plus the regression questions, the
synthetic run uses the generator's questions (80% in-store, 20% out-of-store). With
``--semantic``, the bundled knowledge is also asked questions never seen before, each once
(CLINC150's validation questions, from ../shared/eval), lexically and with the semantic tier:
what a question whose embedding is not memoised costs.

This machine is a shared VM: the same pure-Python loop (``reference_loop``, timed before
and after, and printed) runs up to 50% slower from one minute to the next. So besides
questions/s over all the timed updates (what the target is judged on), the updates are cut
into ``--rounds`` consecutive rounds and the median, slowest and fastest round are shown, to
tell the code's cost from the machine's moods; the baseline, measured in the same rounds,
slows down with the handler path.

Writes the figures to the "handler-throughput" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# This file is named like the `handlers` package: keep its directory from shadowing it.
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, RESULTS, command_line, machine, machine_block, reference_loop, table  # noqa: E402
from results import replace_section  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402
from telegram_double import TOKEN, BotAPI, running_bot  # noqa: E402

from bot.config import Settings  # noqa: E402
from knowledge.answering.evaluation import load_questions  # noqa: E402

WARMUP = 200
PAGE = 100  # updates in one getUpdates reply, at most
SECTION = "handler-throughput"
TARGET_QPS, TARGET_P99_MS = 500, 20.0


def private_text(update_id: int, text: str, user_id: int) -> dict:
    """The JSON Telegram sends for a plain text message in a private chat."""
    user = {"id": user_id, "is_bot": False, "first_name": "U"}
    chat = {"id": user_id, "type": "private", "first_name": "U"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": user, "text": text}
    return {"update_id": update_id, "message": message}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bundled_questions() -> list[str]:
    from knowledge import KnowledgeBase

    kb = KnowledgeBase.load()
    phrasings = [q for claim in kb.claims() for q in claim.questions]
    regression = [q.text for q in load_questions(Path(__file__).resolve().parent.parent
                                                  / "knowledge" / "regression-questions.yaml")]
    kb.close()
    return phrasings + regression


def never_seen_questions() -> list[str]:
    """Real people's questions that the bundled phrasings never contain, each asked once: the
    CLINC150 validation questions (read from ../shared/eval), so no question's embedding is
    memoised from an earlier one."""
    questions = [q.text for q in load_questions(EVAL / "clinc150" / "questions-val.yaml")]
    return list(dict.fromkeys(questions))


def synthetic(claims: int) -> tuple[Path, list[str]]:
    import synthetic as gen

    directory = gen.ensure(claims, seed=1, questions=3000)
    return gen.knowledge_dir(directory), [q["question"] for q in gen.load_questions(directory)]


def cycle(questions: list[str], n: int) -> list[str]:
    return [questions[i % len(questions)] for i in range(n)]


Sample = tuple[float, float]  # (wall seconds, CPU seconds) of one call


@asynccontextmanager
async def ready_bot(knowledge: Path | None, semantic: bool, **settings: Any) -> AsyncIterator[tuple[Any, BotAPI, Path]]:
    """A bot on a fresh data directory, its Bot API recorded, once it answers as it will
    (its semantic tier, if on, embedded). The rate limiter's code runs but does not pace."""
    with tempfile.TemporaryDirectory() as data:
        config = Settings(token=TOKEN, knowledge=knowledge, data_dir=Path(data), semantic=semantic, **settings)
        api = BotAPI()
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        async with running_bot(config, api, rate_limiter=limiter) as bot:
            while bot.knowledge.semantic.state == "embedding":
                await asyncio.sleep(0.1)
            yield bot, api, Path(data)


async def run(knowledge: Path | None, questions: list[str], updates: int, rounds: int, semantic: bool = False) -> dict:
    """Time the three layers question by question, interleaved, so machine load hits each alike.

    The bare layers use their own KnowledgeBase (same files): its caches warm exactly as the
    bot's do, and neither layer feeds the other's.
    """
    from knowledge import KnowledgeBase

    work = cycle(questions, WARMUP + updates)
    payloads = [private_text(i + 1, q, 5000 + i % 50) for i, q in enumerate(work)]
    bare: list[Sample] = []
    logged: list[Sample] = []
    handled: list[Sample] = []
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    async with ready_bot(knowledge, semantic) as (bot, api, data):
        load_s = time.perf_counter() - started
        kb, events, app = KnowledgeBase.load(knowledge), bot.events, bot.app
        if semantic:  # the bare baseline answers with the same tier, from the cache the bot filled
            kb.start_semantic(data, background=False)
        before = api.mark()
        for i, (question, payload) in enumerate(zip(work, payloads)):
            w0, c0 = time.perf_counter(), time.process_time()
            answer = kb.answer(question)
            w1, c1 = time.perf_counter(), time.process_time()
            events.question(answer, chat_type="private", user_id=1, chat_id=1)
            w2, c2 = time.perf_counter(), time.process_time()
            await app.process_update(Update.de_json(payload, app.bot))
            w3, c3 = time.perf_counter(), time.process_time()
            if i >= WARMUP:
                bare.append((w1 - w0, c1 - c0))
                logged.append((w2 - w0, c2 - c0))
                handled.append((w3 - w2, c3 - c2))
                statuses[answer.status] += 1
        sent = [c for c in api.calls[before:] if c.method == "sendMessage"]
        assert len(sent) == len(payloads), f"{len(sent)} replies to {len(payloads)} updates"
        claims = len(kb)
        kb.close()

    def summary(samples: list[Sample]) -> dict:
        wall = [w for w, _ in samples]
        cpu = [c for _, c in samples]
        # Any updates left over after equal rounds count in the overall figures only.
        size = len(cpu) // rounds
        per_round = sorted(size / sum(cpu[k * size:(k + 1) * size]) for k in range(rounds))
        return {"qps_wall": len(wall) / sum(wall), "qps_cpu": len(cpu) / sum(cpu),
                "rounds": (per_round[0], statistics.median(per_round), per_round[-1]),
                "p50": percentile(wall, 50) * 1000, "p99": percentile(wall, 99) * 1000,
                "p99_cpu": percentile(cpu, 99) * 1000, "mean": statistics.fmean(wall) * 1000,
                "mean_cpu": statistics.fmean(cpu) * 1000}

    return {"claims": claims, "load_s": load_s, "statuses": dict(statuses), "load": os.getloadavg()[0],
            "bare": summary(bare), "logged": summary(logged), "handler": summary(handled)}


async def bursts(knowledge: Path | None, questions: list[str], updates: int, semantic: bool = False) -> dict:
    """Time pages of ``PAGE`` updates handed to the bot at once, as one getUpdates reply brings them.

    They take the real intake path: ``Application.update_queue``, the fair scheduler (its
    per-user limits off: these are 50 distinct askers), the handlers, and the answering
    thread, until the page's last reply is recorded. A fresh bot, so no question's vector
    is memoised; the first ``WARMUP`` questions are asked one at a time, untimed.
    """
    work = cycle(questions, WARMUP + updates)
    payloads = [private_text(i + 1, q, 5000 + i % 50) for i, q in enumerate(work)]
    pages: list[Sample] = []
    waits: list[float] = []
    async with ready_bot(knowledge, semantic, user_pending=0, user_per_minute=0) as (bot, api, _):
        app = bot.app
        for payload in payloads[:WARMUP]:
            await app.process_update(Update.de_json(payload, app.bot))
        await app.start()
        try:
            for start in range(WARMUP, len(payloads), PAGE):
                page = payloads[start:start + PAGE]
                before = api.mark()
                w0, c0 = time.perf_counter(), time.process_time()
                m0 = time.monotonic()
                for payload in page:
                    app.update_queue.put_nowait(Update.de_json(payload, app.bot))
                while len(sent := [c for c in api.calls[before:] if c.method == "sendMessage"]) < len(page):
                    await asyncio.sleep(0.002)
                pages.append((time.perf_counter() - w0, time.process_time() - c0))
                waits += [c.at - m0 for c in sent]
        finally:
            await app.stop()
    wall = sum(w for w, _ in pages)
    cpu = sum(c for _, c in pages)
    return {"updates": updates, "qps_cpu": updates / cpu, "qps_wall": updates / wall,
            "p50": percentile(waits, 50) * 1000, "p99": percentile(waits, 99) * 1000,
            "load": os.getloadavg()[0]}


def report_bursts(results: dict[str, dict]) -> str:
    rows = [[name, f"{r['qps_cpu']:,.0f}", f"{r['qps_wall']:,.0f}", f"{r['p50']:.0f}", f"{r['p99']:.0f}"]
            for name, r in results.items()]
    header = ["store", "questions/s (CPU)", "questions/s (wall)", "reply after, p50 ms", "reply after, p99 ms"]
    return "\n".join([
        f"Bursts: pages of {PAGE} updates handed over at once (`bursts`), through the update queue, the fair "
        "scheduler and the answering thread; a reply's wait is from its page's hand-over to its sendMessage.",
        "",
        table(header, rows),
    ])


def report(results: dict[str, dict], updates: int, rounds: int) -> str:
    rows = []
    for name, r in results.items():
        for layer, label in (("bare", "`kb.answer` (baseline)"), ("logged", "`kb.answer` + event log"),
                             ("handler", "handler path (update in → Bot API call recorded)")):
            s = r[layer]
            low, median, high = s["rounds"]
            rows.append([name, f"{r['claims']:,}", label, f"{s['qps_cpu']:,.0f}",
                         f"{median:,.0f} ({low:,.0f}–{high:,.0f})", f"{s['qps_wall']:,.0f}",
                         f"{s['p50']:.2f}", f"{s['p99']:.2f}", f"{s['p99_cpu']:.2f}"])
    header = ["store", "claims", "layer", "questions/s (CPU)", "per round: median (slowest–fastest)",
              "questions/s (wall)", "p50 ms", "p99 ms", "p99 CPU ms"]
    lines = [table(header, rows), ""]
    for name, r in results.items():
        h, b = r["handler"], r["bare"]
        meets = h["qps_cpu"] >= TARGET_QPS and h["p99"] <= TARGET_P99_MS
        lines.append(
            f"- {name}: the handler path costs {h['mean_cpu'] / b['mean_cpu']:.1f}× the bare matcher's CPU per "
            f"question (+{h['mean_cpu'] - b['mean_cpu']:.2f} ms: Update parsing, handlers, HTML rendering, the "
            f"event log, ExtBot, rate limiter and request, parsing the returned Message); "
            f"{'meets' if meets else 'MISSES'} the target (≥ {TARGET_QPS} questions/s, p99 ≤ {TARGET_P99_MS:.0f} ms). "
            f"Outcomes: {', '.join(f'{k} {v}' for k, v in sorted(r['statuses'].items()))}; "
            f"start-up (load, index, event log) {r['load_s']:.1f} s; load average at the end {r['load']:.1f}."
        )
    lines.append(
        f"- {updates} timed updates per store after {WARMUP} warm-up updates, one at a time, pinned to one "
        f"core, the three layers interleaved question by question, in {rounds} rounds of {updates // rounds}. "
        "questions/s (CPU) is 1 / mean CPU time per question over all of them (what one core sustains, "
        "whatever else runs on the machine; the target is judged on it), and per round the same over each "
        "round; (wall) is 1 / mean elapsed time; p50/p99 are elapsed time per question, p99 CPU the same in "
        "CPU time."
    )
    return "\n".join(lines)


def write(body: str, path: Path = RESULTS) -> None:
    """Replace our section of RESULTS.md (or add it at the end); leave every other section as it is."""
    start, end = f"<!-- {SECTION}:start -->", f"<!-- {SECTION}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = (f"{start}\n## Handler throughput (benchmarks/handlers.py)\n\n"
             f"Generated by `benchmarks/handlers.py`; do not edit by hand between these markers.\n\n{body.strip()}\n{end}")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=3000, help="timed updates per store")
    ap.add_argument("--rounds", type=int, default=5, help="rounds the timed updates are cut into")
    ap.add_argument("--claims", type=int, default=10_000, help="size of the synthetic store")
    ap.add_argument("--no-write", action="store_true", help="print the results; leave RESULTS.md alone")
    ap.add_argument("--semantic", action="store_true",
                    help="the bundled knowledge only, lexical and with the semantic tier in the same run, "
                         "on its own questions and on questions never seen before (CLINC150 validation)")
    args = ap.parse_args()
    if not 1 <= args.rounds <= args.updates:
        ap.error("--rounds must be between 1 and --updates")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    info = machine()

    before = reference_loop()
    results = {"bundled": asyncio.run(run(None, bundled_questions(), args.updates, args.rounds))}
    if args.semantic:
        semantic = asyncio.run(run(None, bundled_questions(), args.updates, args.rounds, semantic=True))
        results["bundled, semantic tier"] = semantic
        # The bundled questions repeat, and the tier memoises a question's vector; people's
        # new questions each cost an embedding. Same questions for both matchers, each once.
        fresh = never_seen_questions()
        n = min(args.updates, len(fresh) - WARMUP)
        results["bundled, never-seen questions"] = asyncio.run(run(None, fresh, n, args.rounds))
        results["bundled, semantic tier, never-seen questions"] = asyncio.run(
            run(None, fresh, n, args.rounds, semantic=True)
        )
        burst_results = {
            "bundled, never-seen questions": asyncio.run(bursts(None, fresh, n)),
            "bundled, semantic tier, never-seen questions": asyncio.run(bursts(None, fresh, n, semantic=True)),
        }
    else:
        knowledge, questions = synthetic(args.claims)
        synthetic_store = asyncio.run(run(knowledge, questions, args.updates, args.rounds))
        results[f"synthetic {args.claims // 1000}k"] = synthetic_store
    after = reference_loop()

    speed = (f"- machine speed: a fixed pure-Python loop (`reference_loop`) took {before:.3f} s of CPU before and "
             f"{after:.3f} s after (lower is faster; compare runs by it)")
    body = (machine_block(info, command_line()) + f"\n- cores used: 1 (pinned)\n{speed}\n\n"
            + report(results, args.updates, args.rounds))
    if args.semantic:
        body += "\n\n" + report_bursts(burst_results)
    print(body)
    if args.no_write:
        return
    if args.semantic:
        title = "## Handler throughput with the semantic tier (benchmarks/handlers.py --semantic)"
        replace_section("handler-throughput-semantic", f"{title}\n\n{body}")
    else:
        write(body)


if __name__ == "__main__":
    main()
