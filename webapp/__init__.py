"""The Gradio app's parts beside app.py: input checks, served files, queue settings, and the page's CSS and JS."""
