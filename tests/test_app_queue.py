"""app_queue.enable_queue: the Gradio queue settings app.py and floor_app.py serve with."""

import gradio as gr

import app
from webapp.queue_settings import ANALYTICS_EVERY, MAX_QUEUE, enable_queue

FREQUENCY = "GRADIO_ANALYTICS_CACHE_FREQUENCY"


def blocks() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Button().click(lambda: None)
    return demo


def unset(monkeypatch, name: str):
    monkeypatch.setenv(name, "")  # remembers the old state, so the variable enable_queue sets is undone too
    monkeypatch.delenv(name)


def test_estimates_go_out_once_a_second_and_analytics_are_summarised_every_100_events(monkeypatch):
    unset(monkeypatch, FREQUENCY)
    queue = enable_queue(blocks())._queue
    assert not queue.live_updates and queue.update_intervals == 1  # not one message per waiting client per job
    assert queue.ANAYLTICS_CACHE_FREQUENCY == int(ANALYTICS_EVERY) == 100  # (sic: Gradio's spelling)
    assert queue.max_size == MAX_QUEUE


def test_a_frequency_set_by_the_operator_wins(monkeypatch):
    monkeypatch.setenv(FREQUENCY, "7")
    assert enable_queue(blocks())._queue.ANAYLTICS_CACHE_FREQUENCY == 7


def test_app_serves_with_these_settings():
    queue = app.demo._queue
    assert not queue.live_updates and queue.max_size == MAX_QUEUE and queue.ANAYLTICS_CACHE_FREQUENCY >= 100
