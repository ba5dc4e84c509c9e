"""Load test: N concurrent gradio_client clients call /generate against a local app.py; prints latency and errors.

    python -m benchmarks.load_test --clients 20 --requests 400 --count 16
    python -m benchmarks.load_test --url http://127.0.0.1:7860/   # use a server that is already running
    python -m benchmarks.load_test --app benchmarks/floor_app.py  # Gradio's own cost: same API, no model
    python -m benchmarks.load_test --warmup 10000                 # a server that has served 10,000 requests
    python -m benchmarks.load_test --rate 10                      # 10 req/s arriving at random, not back to back
    python -m benchmarks.load_test --rate 8,12,16,20,24           # one run per rate: up to which do targets hold?
    python -m benchmarks.load_test --rate 16,16,16                # the same rate three times over

Requests only go to the loopback server it starts (or the --url given); the run is bounded by --requests.
"""

import argparse
import itertools
import os
import queue
import random
import shlex
import statistics
import subprocess
import threading
import time
from pathlib import Path

from gradio_client import Client

from benchmarks.local_server import free_port, start_gradio


def process_cpu(proc: subprocess.Popen | None) -> float:
    """CPU seconds (user + system) the server process has used so far; 0 when it is not ours or not Linux."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError):
        return 0.0


def arrival_times(total: int, rate: float) -> list[float]:
    """Seconds from the start at which `total` requests are due: a Poisson process of `rate` per second, the same
    in every run."""
    gaps = random.Random(0)
    return list(itertools.accumulate(gaps.expovariate(rate) for _ in range(total)))


def rates(text: str) -> list[float]:
    """`--rate` value: one or more comma-separated positive request rates, e.g. "16" or "8,12,16"."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if not values or not all(0 < v < float("inf") for v in values):
        raise argparse.ArgumentTypeError(f"must be positive numbers of requests per second, comma-separated, "
                                         f"got {text!r}")
    return values


def highest_rate_within_targets(runs: list[tuple[float, bool]]) -> float | None:
    """The highest offered rate at and below which every run (rate, targets met) met the targets, else None."""
    held = None
    for rate in sorted({rate for rate, _ in runs}):
        if not all(ok for r, ok in runs if r == rate):
            break
        held = rate
    return held


def report(latencies: list[float], errors: list[str], wall: float, count: int, p50_target: float,
           p99_target: float) -> bool:
    """Print latency, throughput and errors of one run and whether it met the targets; True when it did."""
    lat = sorted(x * 1000 for x in latencies)
    if not lat:
        print(f"no request succeeded, errors {len(errors)}")
        return False
    p50, p99 = statistics.median(lat), lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    print(f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {lat[-1]:.0f} ms, throughput {len(lat) / wall:.1f} req/s "
          f"({len(lat) * count / wall:.0f} images/s), errors {len(errors)}")
    met = p50 <= p50_target and p99 <= p99_target and not errors
    print(f"targets (p50 <= {p50_target:g} ms, p99 <= {p99_target:g} ms, 0 errors): {'met' if met else 'missed'}")
    return met


def parse_args() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="an already running app (default: start --app on a free loopback port)")
    p.add_argument("--app", default="app.py", help="the script to start, with its arguments (default: app.py)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--requests", type=int, default=400, help="total requests over all clients")
    p.add_argument("--count", type=int, default=16, help="images per request")
    p.add_argument("--rate", type=rates, help="requests per second over all clients, arriving at random (Poisson) "
                   "times; several, comma-separated, run one after another (default: each client sends again as "
                   "soon as it has its answer)")
    p.add_argument("--p50-target", type=float, default=150, help="p50 latency target in ms (default 150)")
    p.add_argument("--p99-target", type=float, default=1000, help="p99 latency target in ms (default 1000)")
    p.add_argument("--warmup", type=int, default=0, help="requests to serve first, not measured (default 0)")
    p.add_argument("--no-download", action="store_true", help="do not fetch the result PNGs (default: fetch, as "
                   "gradio_client does)")
    return p.parse_args()


def load(clients: list, total: int, count: int, first_seed: int,
         rate: float | None = None) -> tuple[list[float], list[str], float]:
    """`total` requests of `count` images over all clients; returns latencies (s), errors and wall time. Without
    `rate` each client sends its next request as soon as it has the last answer (closed loop: the server's
    capacity); with `rate`, requests are due at Poisson arrival times, `rate` per second over all clients, and each
    one's latency counts from when it was due, so waiting for a free client counts."""
    latencies, errors, lock = [], [], threading.Lock()
    due = arrival_times(total, rate) if rate else [0.0] * total
    jobs = queue.SimpleQueue()  # (request number, when it is due), in order
    for job in enumerate(due):
        jobs.put(job)
    t0 = time.perf_counter()

    def worker(client):
        while True:
            try:
                r, at = jobs.get_nowait()
            except queue.Empty:
                return
            if rate:
                time.sleep(max(0.0, t0 + at - time.perf_counter()))
            t = t0 + at if rate else time.perf_counter()
            try:
                seed = first_seed + r * count  # no two requests draw the same image
                result = client.predict(r % 10, str(seed), count, api_name="/generate")
                assert len(result) == count
                with lock:
                    latencies.append(time.perf_counter() - t)
            except Exception as e:  # count and report, never stop the run
                with lock:
                    errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def measure(args, clients: list, proc) -> list:
    """The warm-up, then one measured run per rate (one back-to-back run without --rate), each reported as it
    ends; returns (rate, targets met) per run."""
    if args.warmup:  # a server that has been up a while can be slower than a fresh one
        _, warmup_errors, warmup_wall = load(clients, args.warmup, args.count, first_seed=10_000_000)
        print(f"warm-up: {args.warmup} requests in {warmup_wall:.1f} s, errors {len(warmup_errors)}")
    runs = []  # (rate, targets met); None: back to back
    for run, rate in enumerate(args.rate or [None]):
        server_cpu_start, client_cpu_start = process_cpu(proc), time.process_time()
        latencies, errors, wall = load(clients, args.requests, args.count,
                                       first_seed=run * args.requests * args.count, rate=rate)
        server_cpu, client_cpu = process_cpu(proc) - server_cpu_start, time.process_time() - client_cpu_start

        pace = f"{rate:g} req/s offered" if rate else "back to back"
        print(f"{args.clients} clients ({pace}), {args.requests} requests of {args.count} images "
              f"({'URLs only' if args.no_download else 'PNGs downloaded'}), {wall:.1f} s")
        runs.append((rate, report(latencies, errors, wall, args.count, args.p50_target, args.p99_target)))
        n = len(latencies) + len(errors)
        print(f"CPU per request: clients {client_cpu / n * 1000:.1f} ms" +
              (f", server {server_cpu / n * 1000:.1f} ms" if proc else "") + f" ({os.cpu_count()} cores in all)")
        for e in sorted(set(errors))[:5]:
            print("error:", e)
    return runs


def main():
    args = parse_args()
    proc = None
    url = args.url
    if url is None:
        port = free_port()
        proc = start_gradio(shlex.split(args.app), port)
        url = f"http://127.0.0.1:{port}/"
    try:
        download = False if args.no_download else Client.__init__.__kwdefaults__["download_files"]
        # gradio_client opens a new httpx client for every call, and with ssl_verify on each one loads the CA
        # bundle (~30 ms of CPU) even for plain http; there is no TLS on a plain http:// URL, so skip that work
        ssl_verify = not url.startswith("http://")
        clients = [Client(url, verbose=False, download_files=download, ssl_verify=ssl_verify)
                   for _ in range(args.clients)]
        clients[0].predict(0, "0", args.count, api_name="/generate")  # first call: imports, caches
        runs = measure(args, clients, proc)
    finally:
        if proc:
            proc.terminate()
            proc.wait()
            os.unlink(proc.log_path)

    if len(runs) > 1:  # several rates (or repeats): the load this server takes within the targets
        held = highest_rate_within_targets(runs)
        print("targets missed at every rate" if held is None else f"targets held up to {held:g} req/s offered")


if __name__ == "__main__":
    main()
