"""Copy the official LIIF outputs from the project's shared folder into tests/reference/, with their provenance.

The parity tests compare against them; with a copy in the repository a fresh clone runs those tests too.
Each file's sha256 is written beside the shared folder's own README, so a later copy can be checked.

    python tools/copy_reference.py ../shared/reference
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("*_input.png", "*_official.npy", "*_official.npz", "*.keys.json")
NOTE = """
## This copy

Copied unchanged from the project's shared folder (`shared/reference/`) by `tools/copy_reference.py`;
the text above is that folder's README. sha256 of each file:

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="the shared reference folder (with its README.md)")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "reference")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = sorted({path for pattern in COPIED for path in args.reference.glob(pattern)})
    for src in files:
        shutil.copyfile(src, args.out / src.name)
        print(f"{src.name}: {src.stat().st_size:,} bytes")
    digests = {src.name: hashlib.sha256((args.out / src.name).read_bytes()).hexdigest() for src in files}
    lines = "".join(f"- `{name}`: {digest}\n" for name, digest in digests.items())
    (args.out / "README.md").write_text((args.reference / "README.md").read_text().rstrip() + "\n" + NOTE + lines)


if __name__ == "__main__":
    main()
