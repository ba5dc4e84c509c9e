"""The /from_drawing endpoint of a real app.py, timed through gradio_client: whole requests (upload,
preprocessing, inversion, ten PNGs written, the answer with their URLs) for photos of MNIST test digits, and the
time to each clear error for every kind of unusable file (target: under a second, server still up).

    python -m benchmarks.bench_from_drawing_app [--requests 20]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from benchmarks.local_server import free_port, start_gradio
from model.data import load_mnist
from tests.bad_images import bad_files
from tests.photos import photo


def timed(client: Client, path: Path) -> tuple[float, str]:
    """Seconds for one /from_drawing call and its outcome: the guessed digit, or the error message."""
    start = time.perf_counter()
    try:
        outcome = client.predict(handle_file(str(path)), "auto", api_name="/from_drawing")[0]["label"]
    except AppError as e:
        outcome = f"refused: {str(e)[:70]}"
    return time.perf_counter() - start, outcome


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=20, help="photos of distinct MNIST test digits to send")
    args = p.parse_args()
    images, labels = load_mnist(train=False)
    folder = Path(tempfile.mkdtemp(prefix="bench-drawing-"))
    port = free_port()
    server = start_gradio(["app.py"], port)
    try:
        # URLs only, like a browser, which shows the answer and fetches the twelve PNGs in parallel afterwards
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
        warm = folder / "warm.jpg"
        warm.write_bytes(photo(images[-1].numpy(), seed=-1 % 2**32))
        timed(client, warm)  # the first request pays for kernel selection
        times, right = [], 0
        for i in range(args.requests):
            path = folder / f"digit{i}.jpg"
            path.write_bytes(photo(images[i].numpy(), seed=i, ink=0.3, darkest=0.5))
            seconds, guess = timed(client, path)
            times.append(seconds)
            right += guess == str(int(labels[i]))
        times.sort()
        print(f"{args.requests} photos (480x480 JPEG, faint pencil, uneven light): guessed right {right}/"
              f"{args.requests}; whole request median {statistics.median(times):.3f} s, "
              f"p90 {times[int(0.9 * len(times))]:.3f} s, max {times[-1]:.3f} s")
        for name, (data, _) in bad_files().items():
            path = folder / name
            path.write_bytes(data)
            seconds, outcome = timed(client, path)
            print(f"{name:17} {seconds:.3f} s  {outcome}")
        print(f"server still up: {server.poll() is None}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
