"""What the page looks and acts like in the browser: its CSS and JavaScript (gallery layout at phone and desktop
widths, the address bar kept linked to the digits on screen, new digits scrolled into view, "Copy link", a note
when a slider's box corrects a value) and the buttons every image offers (share only inside a Space)."""

import os

SPACE_ID = os.environ.get("SPACE_ID")  # set by Hugging Face Spaces: sharing to the Hub works only there
# image buttons: Gradio's "share" answers "Must be on Spaces to share" anywhere else, so it is offered only there
IMAGE_BUTTONS = ["download", "fullscreen"] + (["share"] if SPACE_ID else [])

# Gallery tweaks: crisp pixels; columns that shrink to fit (Gradio's 100 px minimum clips columns on phones);
# captions under each digit instead of over it (a caption too long for a phone's narrow column breaks into two even
# lines, "digit 7 ·" / "seed 42", rather than leaving the number alone on the second); room for the block label above
# the first row; all rows shown (Gradio caps an "auto" height gallery at 55% of the window, so a third row scrolled
# inside it) and no empty space under a short batch (its 450 px minimum left most of the box blank for one or two
# rows); no error badge.
# Columns: 8 on a desktop and 4 on a phone, so the default 16 digits (and any batch of 8, 16, 24...) fill whole rows.
# On a phone the digits come before the form (they were below the fold on opening); Explore's digit comes first
# and sticks to the top of the screen while the sliders scroll under it.
CSS = """
.digits img { image-rendering: pixelated; }
.digits .grid-wrap { padding-top: 2.2rem; max-height: none; min-height: 0; }
.digits .grid-container { grid-template-columns: repeat(var(--grid-cols), minmax(0, 1fr)); grid-auto-rows: auto; }
.digits .thumbnail-item { aspect-ratio: auto; height: auto; display: flex; flex-direction: column; }
.digits .thumbnail-item > img { aspect-ratio: 1; height: auto; }
.digits .caption-label { position: static; max-width: none; white-space: normal; overflow-wrap: anywhere;
                         text-wrap: balance; border: none; border-radius: 0; text-align: center; opacity: 1;
                         padding: 2px; }
/* after a refused input the message says what went wrong; Gradio's "Error" badge only hid a caption */
.digits .wrap.minimal .error { display: none; }
.tab-intro p { margin: 0; }
#gallery-actions { justify-content: flex-end; }
#weights-note { opacity: 0.75; font-size: 0.85em; }
.value-note { color: var(--body-text-color); background: var(--color-accent-soft); border-radius: 4px;
              padding: 4px 8px; margin-top: 6px; font-size: 0.9em; }
/* Gradio's container hides overflow, which makes it the sticky digit's scroll box (one that never scrolls); clip
   cuts off the same overflow without being a scroll box, so the digit sticks to the window. Top level, not in the
   @media block: Gradio scopes custom rules inside its container, and only top-level rules also stay unscoped. */
.gradio-container { overflow: clip !important; }
@media (max-width: 640px) {
  #gallery .grid-container, #morph-gallery .grid-container { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  #style-gallery .grid-container { grid-template-columns: repeat(5, minmax(0, 1fr)); }
  #gallery-column { order: -1; }  /* digits first: a visitor (or a shared link) sees them without scrolling */
  #explore-image { order: -1; position: sticky; top: 0; z-index: 20; background: var(--background-fill-primary); }
  #explore-row { gap: 8px; }
  #explore-row .checked-range { scroll-margin-top: 360px; }  /* a slider scrolled to is not left under the digit */
}
"""

# After a generation the address bar links to it (?digit=..&seed=..&count=..), so copying the address shares the
# digits on screen; in a Space the app is in an iframe, and this message is how Spaces update their page's address.
# Then the gallery is scrolled into view: on a phone it sits below the controls, where new digits went unseen.
AFTER_GENERATE_JS = """(digit, seed, count, psi) => {
    const params = new URLSearchParams(location.search);  // keeps others, such as Gradio's __theme
    Object.entries({digit, seed, count, psi}).forEach(([name, value]) => params.set(name, value));
    if (psi == 1) params.delete("psi");
    const query = "?" + params;
    history.replaceState(null, "", query);
    if (window.parent !== window) window.parent.postMessage({queryString: query}, "https://huggingface.co");
    const gallery = document.querySelector("#gallery");
    const top = gallery ? gallery.getBoundingClientRect().top : 0;
    if (gallery && (top < 0 || top > window.innerHeight * 0.3)) gallery.scrollIntoView({block: "start"});
}"""


def copy_link_js(base: str | None) -> str:
    """JS for "Copy link": the address of the digits on screen (`base` + query, e.g. a Space's page) to the
    clipboard, and the button says so; where the clipboard is blocked, a prompt shows the link to copy by hand."""
    base_js = f'"{base}"' if base else "location.origin + location.pathname"
    return f"""() => {{
    const link = {base_js} + location.search;
    const button = document.querySelector("#copy-link");
    const done = text => {{ if (!button) return; const old = button.dataset.label || button.textContent;
        button.dataset.label = old; button.textContent = text; setTimeout(() => button.textContent = old, 2000); }};
    const fallback = () => {{ window.prompt("Copy this link:", link); }};
    if (navigator.clipboard && window.isSecureContext) {{
        navigator.clipboard.writeText(link).then(() => done("Link copied"), fallback);
    }} else {{ fallback(); }}
}}"""


# Gradio's slider boxes move a typed value into range without a word, and only when the box loses focus (batch
# size 0 or 1e3 become 1 or 64; after Enter the box kept showing 0). On the box's "change" (Enter, or just before
# "blur"), put the value in range at once and say what was typed, what is allowed and what it became, under the
# slider; the next value in range (typed or dragged) clears the note.
PAGE_JS = """() => {
    const check = event => {
        const box = event.target, block = box instanceof HTMLInputElement && box.closest(".checked-range");
        if (!block || (box.type !== "number" && box.type !== "range") || box.dataset.correcting) return;
        const min = Number(box.min), max = Number(box.max), whole = Number(box.step) % 1 === 0;
        const typed = box.value, value = box.valueAsNumber;
        let note = block.querySelector(".value-note");
        if (!Number.isNaN(value) && value >= min && value <= max) { if (note) note.remove(); return; }
        if (event.type !== "change") return;  // mid-typing ("-" on the way to "-2") is not a value yet
        const label = (box.getAttribute("aria-label") || "").replace(/^number input for /, "") || "This value";
        const fixed = Number.isNaN(value) ? null : Math.min(Math.max(value, min), max);
        if (!note) {
            note = document.createElement("div");
            note.className = "value-note";
            note.setAttribute("role", "alert");
            block.appendChild(note);
        }
        note.textContent = `${label} must be ${whole ? "a whole number" : "a number"} from ${min} to ${max}: `
            + (fixed === null ? "that entry was not a number, so the slider kept a value in range."
                              : `${typed} was changed to ${fixed}.`);
        if (fixed !== null && box.type === "number") {  // the box shows what the slider holds (Gradio reads "input")
            box.dataset.correcting = "1";  // this input event is ours: it must not clear the note
            box.value = String(fixed);
            box.dispatchEvent(new Event("input", {bubbles: true}));
            delete box.dataset.correcting;
        }
    };
    document.addEventListener("change", check, true);
    document.addEventListener("input", check, true);
}"""
