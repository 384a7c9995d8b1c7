"""Copy the front-end libraries installed by npm into static_vendor/ (git-ignored), served as static/vendor/.

Run through `make assets`. Each entry maps a file in node_modules to its place under static_vendor/; the source map and
the licence travel with it so that collectstatic's manifest storage can resolve every sourceMappingURL.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "static_vendor"

FILES: dict[str, list[str]] = {
    "htmx": ["htmx.org/dist/htmx.min.js", "htmx.org/LICENSE"],
    "tabler": [
        "@tabler/core/dist/css/tabler.min.css",
        "@tabler/core/dist/css/tabler.min.css.map",
        "@tabler/core/dist/js/tabler.min.js",
        "@tabler/core/dist/js/tabler.min.js.map",
    ],
    "echarts": ["echarts/dist/echarts.min.js", "echarts/LICENSE"],
    "sortablejs": ["sortablejs/Sortable.min.js", "sortablejs/LICENSE"],
}


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm ci` first (make assets does it)", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    for folder, files in FILES.items():
        target = OUT / folder
        target.mkdir(parents=True, exist_ok=True)
        for rel in files:
            src = NODE / rel
            if not src.is_file():
                print(f"missing {src}: is package-lock.json installed?", file=sys.stderr)
                return 1
            shutil.copy2(src, target / src.name)
    (OUT / ".built").write_text("ok\n")
    print(f"vendored {sum(len(f) for f in FILES.values())} files into {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
