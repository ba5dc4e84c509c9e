"""The page's CSS and the JavaScript that keeps the address bar linked to the digits on screen."""

# Gallery tweaks: crisp pixels; columns that shrink to fit (Gradio's 100 px minimum clips columns on phones);
# captions under each digit instead of over it; room for the block label above the first row; all rows shown
# (Gradio caps an "auto" height gallery at 55% of the window, so a third row scrolled inside it) and no empty
# space under a short batch (its 450 px minimum left most of the box blank for one or two rows).
CSS = """
.digits img { image-rendering: pixelated; }
.digits .grid-wrap { padding-top: 2.2rem; max-height: none; min-height: 0; }
.digits .grid-container { grid-template-columns: repeat(var(--grid-cols), minmax(0, 1fr)); grid-auto-rows: auto; }
.digits .thumbnail-item { aspect-ratio: auto; height: auto; display: flex; flex-direction: column; }
.digits .thumbnail-item > img { aspect-ratio: 1; height: auto; }
.digits .caption-label { position: static; max-width: none; white-space: normal; overflow-wrap: anywhere;
                         border: none; border-radius: 0; text-align: center; opacity: 1; padding: 2px; }
@media (max-width: 640px) {
  #gallery .grid-container, #morph-gallery .grid-container { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  #style-gallery .grid-container { grid-template-columns: repeat(5, minmax(0, 1fr)); }
}
footer { display: none !important; }
"""
# After a generation the address bar links to it (?digit=..&seed=..&count=..), so copying the address shares the
# digits on screen; in a Space the app is in an iframe, and this message is how Spaces update their page's address.
LINK_JS = """(digit, seed, count, psi) => {
    const params = new URLSearchParams(location.search);  // keeps others, such as Gradio's __theme
    Object.entries({digit, seed, count, psi}).forEach(([name, value]) => params.set(name, value));
    if (psi == 1) params.delete("psi");
    const query = "?" + params;
    history.replaceState(null, "", query);
    if (window.parent !== window) window.parent.postMessage({queryString: query}, "https://huggingface.co");
}"""
