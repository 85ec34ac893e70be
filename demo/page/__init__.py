"""The page: Gradio components and their wiring, one module per part; no maths here."""
