"""Start the LIIF explorer: ``python app.py [--share] [--host H] [--port P] [--model M] [--device D]``.

On a Hugging Face Space this file is the entry point (README front matter: ``app_file: app.py``).
Host and port default to Gradio's GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, then 127.0.0.1:7860.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from demo.config import AppConfig
from demo.page.shell import build, launch_options
from liif.core.hardware import DEVICES
from liif.errors import LiifError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="LIIF explorer: look at a photo at any size")
    parser.add_argument("--share", action="store_true", help="also make a public gradio.live link")
    parser.add_argument("--host", help="address to listen on (default: GRADIO_SERVER_NAME or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: GRADIO_SERVER_PORT or 7860)")
    parser.add_argument("--model", help="default model: a name, a weights path or a Hub repo id")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--max-output", type=int, help="largest output in pixels (default: 8,000,000)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    overrides = {"max_output_pixels": args.max_output} if args.max_output else {}
    config = AppConfig(model=args.model, device=args.device, **overrides)
    try:
        app = build(config)
    except LiifError as exc:
        sys.exit(f"app.py: error: {exc}")
    # quiet: Gradio's own hint names launch(share=True); this app's switch is --share.
    app.launch(
        server_name=args.host, server_port=args.port, share=args.share, quiet=True, prevent_thread_lock=True,
        **launch_options(config),
    )  # fmt: skip
    print(link_lines(app.local_url, app.share_url, args.share), flush=True)
    app.block_thread()


def link_lines(local_url: str | None, share_url: str | None, share_asked: bool) -> str:
    """Where the app can be reached, and how to get a public link with this app's own flag."""
    lines = [f"* Running on local URL:  {local_url}"]
    if share_url:
        lines.append(f"* Running on public URL: {share_url}")
    elif share_asked:
        lines.append("* No public link (see above); the app serves on the local URL.")
    else:
        lines.append("* To create a public link, run `python app.py --share`.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
