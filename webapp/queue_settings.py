"""Gradio queue settings shared by app.py and benchmarks/floor_app.py, tuned for many small requests.

Two Gradio defaults cost more server time than drawing the digits once many clients call the app
(measured with benchmarks/load_test.py, see README's load section):
- `status_update_rate="auto"` sends every waiting client a new queue estimate each time a job starts, ~18
  messages per request with 20 clients. Once a second is plenty for the "n in queue" display.
- After every request Gradio rebuilds a pandas summary of its last 10,000 events for its monitoring page (off
  unless `enable_monitoring`): ~1.4 ms on a fresh server, ~12 ms once 10,000 requests have been served, so a
  server that has been up for a while answered at a third of its first throughput. Rebuilding it every 100
  events keeps the page (when enabled) current enough and the cost flat.
"""

import os

import gradio as gr

MAX_QUEUE = 256  # waiting requests beyond this get "queue full" at once instead of a long wait
ANALYTICS_EVERY = "100"  # events between monitoring summaries; GRADIO_ANALYTICS_CACHE_FREQUENCY overrides
# every model event shares one limit, so at most this many run at once whichever tab or endpoint they come from
MODEL_QUEUE = dict(concurrency_limit=int(os.environ.get("CGAN_CONCURRENCY", "2")), concurrency_id="model")


def enable_queue(demo: gr.Blocks) -> gr.Blocks:
    """Turn on `demo`'s queue with the settings above (GRADIO_* variables already set win)."""
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", ANALYTICS_EVERY)  # Gradio reads it right here
    return demo.queue(max_size=MAX_QUEUE, status_update_rate=1)
