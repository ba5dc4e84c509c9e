"""The "Your handwriting" tab in a real browser (Debian's chromium, Playwright, headless): draw a 7 with mouse
strokes on the sketchpad, run it, and see a guess of 7 and ten digits, at desktop and phone sizes.

Screenshots go to $ARTIFACTS_DIR (default: artifacts/)."""

import pytest

from .helpers import ARTIFACTS

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]]  # one stroke: the bar, then the stem (fractions of the canvas)


def draw(page, strokes) -> None:
    """Draw `strokes` (lists of (x, y) fractions of the canvas) with the mouse, pressed along each stroke."""
    box = page.locator("#hw-sketch canvas").first.bounding_box()
    for stroke in strokes:
        (x, y), *rest = stroke
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=15)
        page.mouse.up()


def wait_for_ten_digits(page) -> None:
    page.wait_for_function(
        """() => { const imgs = [...document.querySelectorAll('#hw-gallery img')];
                   return imgs.length === 10 && imgs.every(i => i.complete && i.naturalWidth === 112); }""",
        timeout=60_000)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_seven_drawn_with_the_mouse_is_guessed_and_written_in_ten_digits(server, chromium, size):
    page = chromium.new_page(viewport=SIZES[size])
    page.goto(server)
    page.get_by_role("tab", name="Your handwriting").click()
    page.wait_for_selector("#hw-sketch .toolbar-wrap button.highlight", timeout=10_000)  # the brush, picked for us
    draw(page, SEVEN)
    page.locator("#hw-draw-go").click()
    wait_for_ten_digits(page)
    guess = page.locator("#hw-guess")
    assert guess.locator("h2, .output-class").first.inner_text().strip() == "7", guess.inner_text()
    assert page.locator("#hw-seen img").evaluate("i => i.naturalWidth") == 112
    assert "Searched with digit" in page.locator("#hw-note").inner_text()
    captions = page.locator("#hw-gallery .caption-label").all_inner_texts()
    assert captions == [f"digit {d}" for d in range(10)], captions
    page.screenshot(path=str(ARTIFACTS / f"handwriting_{size}.png"), full_page=True)
    page.close()


def test_clear_empties_the_sketchpad_and_running_it_empty_says_to_draw(server, chromium):
    page = chromium.new_page(viewport=SIZES["desktop"])
    page.goto(server)
    page.get_by_role("tab", name="Your handwriting").click()
    page.wait_for_selector("#hw-sketch .toolbar-wrap button.highlight", timeout=10_000)
    draw(page, SEVEN)
    page.locator('#hw-sketch button[aria-label="Clear canvas"]').click()
    page.locator("#hw-draw-go").click()
    page.get_by_text("draw one digit on the sketchpad first").first.wait_for(timeout=30_000)
    page.close()
