"""Refresh the vendored OpenSeadragon (the deep-zoom viewer) from the npm registry.

The app must work offline and in a Space, so the viewer's minified file and its licence live in the repo
(demo/page/static/vendor/openseadragon/); nothing is fetched from a CDN at run time. The version is pinned here; the
tarball is checked against the registry's sha512 before anything is written.

    python tools/vendor_openseadragon.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

VERSION = "6.1.1"
PACKAGE = f"https://registry.npmjs.org/openseadragon/{VERSION}"
OUT = Path(__file__).resolve().parents[1] / "demo" / "page" / "static" / "vendor" / "openseadragon"
FILES = {
    "package/build/openseadragon/openseadragon.min.js": "openseadragon.min.js",
    "package/LICENSE.txt": "LICENSE.txt",
}


def main() -> None:
    with urllib.request.urlopen(PACKAGE, timeout=60) as response:
        dist = json.load(response)["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=60) as response:
        tarball = response.read()
    algorithm, digest = dist["integrity"].split("-", 1)
    if algorithm != "sha512" or hashlib.sha512(tarball).digest() != base64.b64decode(digest):
        raise SystemExit(f"openseadragon {VERSION}: the tarball does not match the registry's integrity")
    OUT.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        for member, name in FILES.items():
            source = archive.extractfile(member)
            if source is None:
                raise SystemExit(f"openseadragon {VERSION}: {member} is missing from the package")
            (OUT / name).write_bytes(source.read())
    (OUT / "VERSION").write_text(f"openseadragon {VERSION} (npm), {dist['integrity']}\n")
    print(f"openseadragon {VERSION} -> {OUT}")


if __name__ == "__main__":
    main()
