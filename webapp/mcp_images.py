"""MCP tool results that carry every image the app returns, not only lone image outputs.

Gradio 6.31's MCP server turns an output into image content only when the output itself is a file; a gallery (a
list of {"image": file, "caption": text}) or an endpoint with several outputs becomes one long text of file
records, so an assistant calling /generate would get no digits to look at. The subclass below flattens galleries
and multiple outputs first: each image becomes image content (plus its URL, as Gradio adds) and each caption text.
"""

from collections.abc import Iterable, Iterator

import gradio.mcp
from gradio_client import utils as client_utils


def flatten(outputs: Iterable) -> Iterator:
    """The outputs one by one: lists and tuples opened up, a gallery item as its image file then its caption."""
    for output in outputs:
        if isinstance(output, (list, tuple)):
            yield from flatten(output)
        elif isinstance(output, dict) and client_utils.is_file_obj_with_meta(output.get("image")):
            yield output["image"]
            if output.get("caption"):
                yield output["caption"]
        else:
            yield output


class ImageResultsMCPServer(gradio.mcp.GradioMCPServer):
    """Gradio's MCP server, with galleries and multiple outputs flattened before they are turned into content."""

    def postprocess_output_data(self, data, root_url: str):
        return super().postprocess_output_data(list(flatten(data)), root_url)


def use_image_results() -> None:
    """Make the MCP server that the next launch(mcp_server=True) creates return images as above."""
    # Gradio builds its MCP server as gradio.mcp.GradioMCPServer(blocks) inside launch(), looked up by name then
    gradio.mcp.GradioMCPServer = ImageResultsMCPServer
