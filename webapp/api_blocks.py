"""A gr.Blocks whose API calls may leave out trailing inputs: each missing one gets its component's default."""

import gradio as gr


class DefaultingBlocks(gr.Blocks):
    """gr.Blocks where a raw REST call (POST /gradio_api/call/<name>) that leaves out inputs gets their defaults."""

    def validate_inputs(self, block_fn, inputs: list) -> None:
        """Fill inputs left out at the end with their components' values (the defaults /gradio_api/info publishes)."""
        # gradio_client fills these in itself; over plain REST Gradio instead fails inside its queue and answers
        # {"error": null}, with a message about JavaScript functions in the server log
        inputs.extend(getattr(block, "value", None) for block in block_fn.inputs[len(inputs):])
        super().validate_inputs(block_fn, inputs)
