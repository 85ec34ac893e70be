"""The Gradio front end: layout and event wiring. The maths lives in :mod:`liif`."""
