"""Use the app in a real browser: Debian's chromium driven by Playwright (headless).

Screenshots go to $ARTIFACTS_DIR (default: artifacts/) so CI keeps them.
"""

import io
import zipfile
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .helpers import ARTIFACTS


@pytest.fixture
def page(server, chromium):
    """A fresh page for each test, so every test starts from the page a visitor opens (and runs alone with -k)."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    # the app draws its opening digits on load: wait for them, so no test's click races that first generation
    # (not "networkidle": the queue's event stream can keep the network busy for longer than a test waits)
    page.wait_for_function(
        """() => { const imgs = [...document.querySelectorAll('#gallery img')];
                  return imgs.length === 16 && imgs.every(i => i.complete && i.naturalWidth > 0)
                         && !document.querySelector('#gallery .pending'); }""", timeout=30_000)
    yield page
    page.close()


def gallery_images(page):
    return page.locator("#gallery img")


def seed_box(page):
    """The seed box's text field (Gradio renders a one-line textbox as an input or a textarea)."""
    return page.locator("#seed textarea, #seed input").first


def wait_for_images(page, count: int) -> None:
    """Wait until the gallery shows `count` fully loaded 112-px images and no longer looks pending."""
    page.wait_for_function(
        """n => { const imgs = [...document.querySelectorAll('#gallery img')];
                  return imgs.length === n && imgs.every(i => i.complete && i.naturalWidth === 112)
                         && !document.querySelector('#gallery .pending'); }""", arg=count, timeout=30_000)
    # then let the layout settle: the gallery's height unchanged over five frames (not "networkidle", which the
    # queue's event stream can hold off past any timeout: that raced and failed CI once)
    page.evaluate("""() => new Promise(done => { let last = null, same = 0;
        const tick = () => { const h = document.querySelector('#gallery').getBoundingClientRect().height;
                             same = h === last ? same + 1 : 0; last = h;
                             if (same >= 5) done(); else requestAnimationFrame(tick); };
        requestAnimationFrame(tick); })""")


def uncovered_images(page) -> int:
    """How many gallery images are on top at their own centre (not hidden behind an overlay)."""
    return page.evaluate("""() => [...document.querySelectorAll('#gallery img')].filter(img => {
        const r = img.getBoundingClientRect();
        return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === img; }).length""")


def set_slider(page, elem_id: str, value: int) -> None:
    """Type a value into a slider's number box and wait until the slider holds it (so a click cannot race it)."""
    box, slider = page.locator(f"#{elem_id} input[type=number]"), page.locator(f"#{elem_id} input[type=range]")
    holds = f"document.querySelector('#{elem_id} input[type=range]').value === '{value}'"
    for _ in range(3):  # a component that has just been shown (an opening accordion) can drop the first input,
        box.fill(str(value))  # or take it and then be reset to its initial value as it finishes mounting
        box.press("Enter")
        try:
            page.wait_for_function(holds, timeout=3_000)
        except PlaywrightTimeout:
            continue
        page.wait_for_timeout(500)
        if page.evaluate(holds):  # still there half a second later: taken for good
            return
    raise AssertionError(f"slider {elem_id} shows {slider.input_value()!r}, box {box.input_value()!r}, not {value}")


PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


def in_view(page, selector: str) -> dict:
    """Where an element is in the window: its top, bottom, and whether it lies wholly inside."""
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, whole: r.top >= -1 && r.bottom <= window.innerHeight + 1}; }""", selector)


def open_tab(page, name: str) -> None:
    """Show a tab by clicking its name (at every width all names are on screen)."""
    page.get_by_role("tab", name=name, exact=True).click()


def open_accordion(page, selector: str, label: str, expected: str) -> None:
    """Open an accordion and wait for its content; click again if the first click was lost (a page still settling
    under load), but never when the content is already showing, which a second click would close."""
    shows = f"document.querySelector('{selector}').innerText.includes('{expected}')"
    for _ in range(3):
        page.get_by_text(label, exact=True).click()
        try:
            page.wait_for_function(shows, timeout=3_000)
            return
        except PlaywrightTimeout:
            if page.evaluate(shows):
                return


def rows_of(page, selector: str) -> list[int]:
    """How many thumbnails each row of a gallery holds."""
    tops = page.evaluate(f"""() => [...document.querySelectorAll('{selector} .thumbnail-item')]
                                    .map(t => Math.round(t.getBoundingClientRect().top))""")
    return [tops.count(top) for top in sorted(set(tops))]


def test_page_opens_with_a_gallery_and_the_weights_note(page):
    gallery_images(page).first.wait_for(timeout=30_000)  # generation runs on load
    assert gallery_images(page).count() >= 1
    assert "bundled" in page.locator("#weights-note").inner_text()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_page_opens_with_every_tab_drawn_and_whole_rows_at_both_sizes(page, server, size):  # noqa: F811
    tab = page.context.browser.new_page(viewport=size)
    try:
        tab.goto(server)
        tab.wait_for_function("document.querySelectorAll('#gallery img').length === 16", timeout=30_000)
        tab.wait_for_timeout(300)  # the grid settles
        rows = rows_of(tab, "#gallery")
        assert len(set(rows)) == 1 and sum(rows) == 16, rows  # no lone digit on a last row
        assert in_view(tab, "#gallery .thumbnail-item")["whole"]  # digits seen on opening, without scrolling
        assert rows[0] == (8 if size is DESKTOP else 4)
        open_accordion(tab, "#what-is-this", "What is this?", "forger")
        about = tab.locator("#what-is-this").inner_text()
        assert all(word in about for word in ("forger", "detective", "seed", "ψ")), about
        text = tab.locator("body").inner_text().lower()
        assert not any(jargon in text for jargon in ("latent", "spherical", "embedding", "2**63"))
        assert tab.get_by_role("button", name="Share").count() == 0  # works only inside a Space
        tab.screenshot(path=str(ARTIFACTS / f"app_open_{'desktop' if size is DESKTOP else 'phone'}.png"),
                       full_page=True)
        open_tab(tab, "Morph")  # Morph opens with an example drawn, like the other tabs
        tab.wait_for_function("document.querySelectorAll('#morph-gallery img').length === 16", timeout=30_000)
        tab.locator("#morph-gif img").wait_for(timeout=10_000)
    finally:
        tab.close()


def test_pick_digit_seed_and_batch_size_then_generate(page):
    page.locator("#digit").get_by_text("3", exact=True).click()
    seed_box(page).fill("2024")
    set_slider(page, "count", 6)
    page.locator("#generate").click()
    page.wait_for_function("document.querySelectorAll('#gallery img').length === 6", timeout=30_000)
    page.get_by_text("digit 3 · seed 2029").first.wait_for(timeout=10_000)
    wait_for_images(page, 6)
    page.screenshot(path=str(ARTIFACTS / "app_desktop.png"), full_page=True)


def test_a_full_batch_is_shown_whole_without_scrolling_inside_the_gallery(page):
    set_slider(page, "count", 24)  # 5 rows on desktop: taller than Gradio's default cap of 55% of the window
    page.locator("#generate").click()
    wait_for_images(page, 24)
    scroll_height, client_height = page.evaluate(
        "() => { const w = document.querySelector('#gallery .grid-wrap'); return [w.scrollHeight, w.clientHeight]; }")
    assert scroll_height <= client_height + 1, "the gallery clips its rows behind an inner scroll bar"
    gallery, last = page.locator("#gallery").bounding_box(), gallery_images(page).last.bounding_box()
    assert last["y"] + last["height"] <= gallery["y"] + gallery["height"]


def test_a_single_row_leaves_no_empty_space_in_its_gallery(page):
    page.get_by_role("tab", name="Same handwriting").click()
    page.locator("#style-seeds textarea, #style-seeds input").first.fill("7")  # one seed: one row of 10 digits
    page.locator("#style-draw").click()
    page.wait_for_function("document.querySelectorAll('#style-gallery img').length === 10", timeout=30_000)
    wrap = page.locator("#style-gallery .grid-wrap").bounding_box()
    last = page.locator("#style-gallery .thumbnail-item").last.bounding_box()
    empty_below = wrap["y"] + wrap["height"] - (last["y"] + last["height"])
    assert empty_below < 40, f"{empty_below:.0f} px of empty gallery under one row"  # Gradio's minimum: 450 px


def test_bad_seed_shows_an_error_and_keeps_the_last_digits_in_view(page):
    page.evaluate("window.scrollTo(0, 0)")  # the gallery's top rows in view, below where error toasts appear
    shown, in_view = gallery_images(page).count(), uncovered_images(page)
    assert in_view >= 5
    seed_box(page).fill("12ab")
    page.locator("#generate").click()
    page.get_by_text("Seed must be a whole number").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # let the gallery's status settle
    # the previous digits stay visible (Gradio's full progress overlay would blank the whole gallery)
    assert gallery_images(page).count() == shown
    assert uncovered_images(page) == in_view, "the gallery is covered after an error"
    # the message says what went wrong; no "Error" badge is left over the digits and their captions
    assert not page.locator("#gallery").get_by_text("Error", exact=True).is_visible()
    seed_box(page).fill("5")
    page.locator("#generate").click()
    page.get_by_text("digit 7 · seed 5", exact=True).first.wait_for(timeout=30_000)  # the opening digit, 7


def test_dataset_download_link(page):
    page.locator("#digit").get_by_text("3", exact=True).click()
    seed_box(page).fill("5")
    page.get_by_text("Download many as a dataset (.npz)").click()
    page.locator("#dataset-make").wait_for(timeout=10_000)
    set_slider(page, "dataset-count", 250)
    page.locator("#dataset-make").click()
    link = page.locator("#dataset-file a[download]").first
    link.wait_for(timeout=30_000)
    assert link.get_attribute("download") == "digits_3_seed5_count250.npz"  # digit and seed from the controls
    body = page.request.get(link.get_attribute("href")).body()
    with np.load(io.BytesIO(body), allow_pickle=False) as data:
        assert data["images"].shape == (250, 28, 28) and set(data["labels"].tolist()) == {3}


def test_explorer_slider_updates_the_digit(page):
    page.get_by_role("tab", name="Explore").click()
    image = page.locator("#explore-image img")
    slider = page.locator("#direction-1 input[type=number]")
    slider.fill("2.5")
    slider.press("Enter")
    image.wait_for(timeout=30_000)
    first = image.get_attribute("src")
    slider.fill("-2.5")
    slider.press("Enter")
    page.wait_for_function("src => { const i = document.querySelector('#explore-image img'); "
                           "return i && i.src !== src && i.complete; }", arg=first, timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "app_explore.png"), full_page=True)


def test_phone_width_layout(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#generate").scroll_into_view_if_needed()
    assert page.locator("#generate").is_visible()
    page.wait_for_timeout(500)  # let the grid reflow at the new width
    # every thumbnail lies inside the gallery's width (no clipped columns) and its caption sits below the digit
    boxes = page.evaluate("""() => {
        const gallery = document.querySelector('#gallery .grid-wrap').getBoundingClientRect();
        return [...document.querySelectorAll('#gallery .thumbnail-item')].map(t => {
            const img = t.querySelector('img').getBoundingClientRect();
            const cap = t.querySelector('.caption-label').getBoundingClientRect();
            return {left: img.left - gallery.left, right: gallery.right - img.right, gap: cap.top - img.bottom,
                    width: img.width};
        });
    }""")
    assert len(boxes) == page.locator("#gallery img").count() > 0
    assert all(b["left"] >= 0 and b["right"] >= 0 and b["gap"] >= 0 and b["width"] >= 48 for b in boxes), boxes
    # a caption too long for the column breaks before "seed", so the seed's number is never alone on a line
    seed_lines = page.evaluate("""() => [...document.querySelectorAll('#gallery .caption-label')].map(cap => {
        const text = cap.firstChild, start = text.data.indexOf('seed'), range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, text.data.length);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; })""")
    assert seed_lines and all(lines == 1 for lines in seed_lines), seed_lines
    page.screenshot(path=str(ARTIFACTS / "app_phone.png"), full_page=True)


TAB_NAMES = ["Generate", "Your handwriting", "Same handwriting", "Morph", "Explore"]


def test_a_phone_shows_every_tab_name_and_reaches_morph_and_explore(page):
    # Gradio's default folds the tabs that do not fit into a "•••" menu, where a phone user never looks for them
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the tab bar lays itself out again at the new width
    assert page.get_by_role("button", name="More tabs").count() == 0
    for name in TAB_NAMES:
        tab = page.get_by_role("tab", name=name, exact=True)
        box = tab.bounding_box()
        assert tab.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "app_phone_tabs.png"))
    open_tab(page, "Morph")
    page.locator("#morph-go").click()
    page.wait_for_function("document.querySelectorAll('#morph-gallery img').length === 16", timeout=30_000)
    gif = page.locator("#morph-gif img")
    gif.wait_for(timeout=30_000)
    assert gif.bounding_box()["width"] >= 200  # the animation is shown large, not as a 112 px thumbnail
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    open_tab(page, "Explore")
    page.locator("#explore-image img").wait_for(timeout=30_000)
    assert page.locator("#direction-1").is_visible()
    page.screenshot(path=str(ARTIFACTS / "app_phone_explore.png"), full_page=True)


def test_a_link_opens_its_digits_and_the_address_follows_each_generation(page, server):  # noqa: F811
    visitor = page.context.browser.new_context(viewport={"width": 1280, "height": 900})  # someone sent a link
    tab = visitor.new_page()
    try:
        tab.goto(f"{server}?__theme=light&digit=3&seed=2024&count=6&psi=0.5")
        tab.get_by_text("digit 3 · seed 2029", exact=True).wait_for(timeout=30_000)
        assert tab.locator("#gallery img").count() == 6
        assert seed_box(tab).input_value() == "2024"
        assert tab.locator("#count input[type=number]").input_value() == "6"
        seed_box(tab).fill("77")
        tab.locator("#generate").click()
        tab.get_by_text("digit 3 · seed 77", exact=True).wait_for(timeout=30_000)
        tab.wait_for_function("location.search.includes('seed=77')", timeout=10_000)
        query = dict(parse_qsl(urlsplit(tab.url).query))
        assert query == {"__theme": "light", "digit": "3", "seed": "77", "count": "6", "psi": "0.5"}
        tab.locator("#random-seed").click()  # the random seed's digits get their link too
        tab.wait_for_function("!location.search.includes('seed=77')", timeout=30_000)
        seed = seed_box(tab).input_value()
        assert dict(parse_qsl(urlsplit(tab.url).query))["seed"] == seed
        tab.get_by_text(f"digit 3 · seed {seed}", exact=True).wait_for(timeout=30_000)
    finally:
        visitor.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_new_digits_come_into_view_after_generate_random_seed_and_enter(page, size):
    page.set_viewport_size(size)
    open_tab(page, "Generate")
    set_slider(page, "count", 16)
    name = "phone" if size is PHONE else "desktop"
    for i, action in enumerate(["generate", "random", "enter"]):
        page.evaluate("window.scrollTo(0, 0)")  # where a phone user taps: the controls, above the gallery
        old = page.evaluate("document.querySelector('#gallery img').src")
        if action == "generate":
            seed_box(page).fill(str(600 + i))
            page.locator("#generate").click()
        elif action == "random":
            page.locator("#random-seed").click()
        else:
            seed_box(page).fill(str(700 + i))
            seed_box(page).press("Enter")
        page.wait_for_function("old => document.querySelector('#gallery img').src !== old", arg=old, timeout=30_000)
        wait_for_images(page, 16)
        page.wait_for_function("""() => { const r = document.querySelector('#gallery .grid-wrap')
                                          .getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; }""",
                               timeout=5_000)
        assert in_view(page, "#gallery .thumbnail-item")["whole"], (action, in_view(page, "#gallery"))
    page.screenshot(path=str(ARTIFACTS / f"app_{name}_after_enter.png"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_explored_digit_stays_in_view_while_each_slider_moves(page, size):
    page.set_viewport_size(size)
    open_tab(page, "Explore")
    page.locator("#explore-image img").wait_for(timeout=30_000)
    for k in range(1, 5):
        box = page.locator(f"#direction-{k} input[type=number]")
        page.locator(f"#direction-{k}").scroll_into_view_if_needed()
        old = page.locator("#explore-image img").get_attribute("src")
        box.fill(str(k / 2 if size is PHONE else -k / 2))  # other values than the other size's run
        box.press("Enter")
        page.wait_for_function("old => { const i = document.querySelector('#explore-image img');"
                               " return i && i.src !== old && i.complete; }", arg=old, timeout=30_000)
        image, slider = in_view(page, "#explore-image img"), in_view(page, f"#direction-{k}")
        assert image["whole"] and slider["whole"], (k, image, slider)  # both seen at once
        assert page.evaluate(f"""() => {{ const r = document.querySelector('#direction-{k} input[type=range]')
            .getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit && hit.closest('#direction-{k}') !== null; }}"""), f"slider {k} is hidden under the digit"
    page.screenshot(path=str(ARTIFACTS / f"app_{'phone' if size is PHONE else 'desktop'}_explore_sliders.png"))


@pytest.mark.parametrize("elem_id, typed, key, shown, note", [
    ("count", "0", "Tab", "1", "Batch size must be a whole number from 1 to 64: 0 was changed to 1."),
    ("count", "0", "Enter", "1", "Batch size must be a whole number from 1 to 64: 0 was changed to 1."),
    ("count", "-5", "Tab", "1", "Batch size must be a whole number from 1 to 64: -5 was changed to 1."),
    ("count", "65", "Tab", "64", "Batch size must be a whole number from 1 to 64: 65 was changed to 64."),
    ("count", "1e3", "Enter", "64", "Batch size must be a whole number from 1 to 64: 1e3 was changed to 64."),
    ("psi", "2", "Enter", "1", "must be a number from 0 to 1: 2 was changed to 1."),
])
def test_a_slider_box_says_when_it_corrects_a_typed_value(page, elem_id, typed, key, shown, note):
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(typed)
    box.press(key)  # leaving the box (Gradio moves the value into range then), or Enter (the box keeps focus)
    page.locator(f"#{elem_id} .value-note").wait_for(timeout=5_000)
    assert note in page.locator(f"#{elem_id} .value-note").inner_text()
    # the box shows the value the slider now holds, not what was typed
    assert box.input_value() == shown == page.locator(f"#{elem_id} input[type=range]").input_value()
    set_slider(page, elem_id, 1 if elem_id == "psi" else 16)  # a value in range clears the note
    assert page.locator(f"#{elem_id} .value-note").count() == 0


def test_copy_link_and_download_all(page, server):  # noqa: F811
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#digit").get_by_text("4", exact=True).click()
    seed_box(page).fill("321")
    set_slider(page, "count", 8)
    page.locator("#generate").click()
    page.get_by_text("digit 4 · seed 328", exact=True).wait_for(timeout=30_000)
    page.wait_for_function("location.search.includes('seed=321')", timeout=10_000)
    page.locator("#copy-link").click()
    page.get_by_text("Link copied").wait_for(timeout=5_000)
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(server) and dict(parse_qsl(urlsplit(link).query)) == \
        {"digit": "4", "seed": "321", "count": "8"}
    page.wait_for_function("document.querySelector('#download-all') && "
                           "!document.querySelector('#download-all').disabled", timeout=10_000)
    page.wait_for_timeout(500)  # the zip follows the gallery
    with page.expect_download(timeout=30_000) as download:
        page.locator("#download-all").click()
    assert download.value.suggested_filename == "digits_4_seed321_count8.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        assert archive.namelist() == [f"digit4_seed{s}.png" for s in range(321, 329)]
