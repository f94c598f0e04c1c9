"""Load on the real app: signed events at a steady rate across many channels, a share of them IAM
errors, against a fake Slack Web API on loopback. Prints ack and reply latencies, RSS, and any
event lost or answered twice.

    python benchmarks/load.py [--rate 200] [--seconds 30] [--channels 200] [--error-share 0.2]

The app runs as its own process (`python -m bot serve`); this script is the load and the fake Slack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import SIGNING_SECRET, sign  # noqa: E402
from tests.redis_server import free_port  # noqa: E402
from tests.slack_fake import FakeSlack  # noqa: E402

ERRORS = [
    "An error occurred (AccessDenied) when calling the PutLifecycleHook operation: User: "
    "arn:aws:sts::111122223333:assumed-role/Testrole/{n} is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    "User: arn:aws:iam::123456789012:user/dev{n} is not authorized to perform: s3:GetObject on resource: "
    "arn:aws:s3:::logs/{n}.gz with an explicit deny in a service control policy",
    "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds "
    "exceeds the MaxSessionDuration set for this role. (run {n})",
]
CHATTER = "build {n} is green, thanks <@U024BE7LH> see <https://ci.example.com/{n}|the log>"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def _rss_mib(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def main(rate: int, seconds: int, channels: int, error_share: float) -> None:
    fake = FakeSlack()
    received: dict[str, float] = {}
    original = fake.api

    async def recording(request: web.Request) -> web.Response:
        response = await original(request)
        call = fake.calls[-1]
        if call.method == "chat.postMessage":
            received.setdefault(str(call.params.get("thread_ts")), time.perf_counter())
        return response

    fake.api = recording  # type: ignore[method-assign]
    runner = web.AppRunner(fake.app())
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    fake.base_url = f"http://127.0.0.1:{fake_port}/"
    app_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_", "IAMROLE_"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-load",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{fake.base_url}api/",
        "PORT": str(app_port),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{app_port}/slack/events"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{app_port}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            acks: list[float] = []
            sent: dict[str, tuple[float, bool]] = {}
            statuses: Counter[int] = Counter()

            async def send(n: int) -> None:
                is_error = (n % round(1 / error_share)) == 0
                ts = f"1700000000.{n:06d}"
                text = (ERRORS[n % len(ERRORS)] if is_error else CHATTER).format(n=n)
                event = {
                    "type": "message",
                    "channel": f"C{n % channels:08d}",
                    "user": "U0LOAD",
                    "text": text,
                    "ts": ts,
                }
                body = json.dumps(
                    {"type": "event_callback", "team_id": "T0001", "event_id": f"Ev{n}", "event": event}
                )
                headers = {"Content-Type": "application/json", **sign(body)}
                started = time.perf_counter()
                sent[ts] = (started, is_error)
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] += 1
                acks.append(time.perf_counter() - started)

            tasks = []
            begin = time.perf_counter()
            for n in range(rate * seconds):
                delay = begin + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(n)))
            await asyncio.gather(*tasks)
            expected = {ts for ts, (_, is_error) in sent.items() if is_error}
            deadline = time.perf_counter() + 30
            while not expected <= set(received) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            rss, peak = _rss_mib(app.pid)
    finally:
        app.terminate()
        app.wait(timeout=30)
        await runner.cleanup()
    per_thread = Counter(str(c.params.get("thread_ts")) for c in fake.posts())
    replies = [received[ts] - sent[ts][0] for ts in expected if ts in received]
    print(
        f"events sent: {len(sent)} over {seconds} s ({rate}/s, {channels} channels), errors: {len(expected)}"
    )
    print(f"HTTP statuses: {dict(statuses)}")
    print(
        f"ack (time to HTTP 200): p50 {_percentile(acks, 0.5) * 1000:.1f} ms, p99 {_percentile(acks, 0.99) * 1000:.1f} ms"
    )
    print(
        f"reply (receipt to chat.postMessage): p50 {_percentile(replies, 0.5) * 1000:.1f} ms, "
        f"p99 {_percentile(replies, 0.99) * 1000:.1f} ms, mean {statistics.fmean(replies) * 1000:.1f} ms"
    )
    print(f"app RSS at end: {rss:.0f} MiB (peak {peak:.0f} MiB)")
    lost = len(expected - set(received))
    doubled = sum(1 for count in per_thread.values() if count > 1)
    unexpected = len(set(per_thread) - expected)
    print(f"lost: {lost}, answered twice: {doubled}, chatter answered: {unexpected}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--error-share", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.channels, args.error_share))
