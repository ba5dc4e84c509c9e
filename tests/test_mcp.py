"""The running app as an MCP server, through the `mcp` client package over streamable HTTP and SSE: the tools are
listed with descriptions from their docstrings, and calls return the digits as images."""

import asyncio
import base64
import io

import numpy as np
import pytest
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from PIL import Image

from .bad_images import png, stroke_drawing

TOOLS = {"generate", "dataset", "from_drawing"}  # at least these, for an assistant


async def session_call(url: str, transport, work):
    """Run `work(session)` in an initialised MCP session at `url` and return its result."""
    async with transport(url) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            return await work(session)


def run(server: str, work, sse: bool = False):
    """`work(session)` against the app's MCP server, over streamable HTTP (default) or SSE."""
    url = f"{server}gradio_api/mcp/sse" if sse else f"{server}gradio_api/mcp/"
    return asyncio.run(session_call(url, sse_client if sse else streamable_http_client, work))


def images_of(result) -> list[np.ndarray]:
    """The PNG images in a tool result, as arrays."""
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(c.data)))) for c in result.content
            if c.type == "image" and c.mimeType == "image/png"]


def texts_of(result) -> list[str]:
    return [c.text for c in result.content if c.type == "text"]


@pytest.mark.parametrize("sse", [False, True], ids=["streamable HTTP", "SSE"])
def test_the_tools_are_listed_with_descriptions_and_typed_inputs(server, sse):
    tools = {tool.name: tool for tool in run(server, lambda s: s.list_tools(), sse).tools}
    assert TOOLS <= set(tools), sorted(tools)
    drawing = tools["from_drawing"]
    assert drawing.description.startswith("Find the handwriting of one drawn or photographed digit")
    assert set(drawing.inputSchema["properties"]) == {"image", "digit"} and drawing.inputSchema["required"] == ["image"]
    assert "classifier's guess" in drawing.inputSchema["properties"]["digit"]["description"]
    for name in ("generate", "dataset"):
        assert len(tools[name].description) > 80 and "digit" in tools[name].inputSchema["properties"]


def test_generate_returns_the_digits_as_images_with_their_captions(server):
    result = run(server, lambda s: s.call_tool("generate", {"digit": 3, "seed": "5", "count": 4}))
    assert not result.isError, texts_of(result)
    digits = images_of(result)
    assert len(digits) == 4 and all(d.shape == (112, 112) and d.max() > 200 for d in digits)
    assert [f"digit 3 · seed {s}" for s in range(5, 9)] == [t for t in texts_of(result) if t.startswith("digit")]


def test_from_drawing_takes_an_image_and_returns_the_guess_and_ten_digits(server):
    image = "data:image/png;base64," + base64.b64encode(png(stroke_drawing())).decode()
    result = run(server, lambda s: s.call_tool("from_drawing", {"image": image}))
    assert not result.isError, texts_of(result)
    assert len(images_of(result)) == 12  # the model's view, the reconstruction and digits 0-9
    assert "'label': '1'" in texts_of(result)[0]  # the guess comes first
    assert [f"digit {d}" for d in range(10)] == [t for t in texts_of(result) if t.startswith("digit")]


def test_a_bad_call_is_an_error_result_in_the_apps_words(server):
    image = "data:image/png;base64," + base64.b64encode(b"not a picture at all").decode()
    result = run(server, lambda s: s.call_tool("from_drawing", {"image": image}))
    assert result.isError and texts_of(result)[0].startswith("Image is not an image file that can be read")
