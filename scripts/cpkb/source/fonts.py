"""Self-hosted web fonts, made at build time from a registry package.

Debian's fonts-noto-core ships complete Noto Sans TTFs (about 500 KB each);
we subset them to Latin + Vietnamese as WOFF2 (about 40 KB) into
docs/assets/fonts/, which is git-ignored: no font file is committed and no
page asks Google Fonts or a CDN for anything.
"""

from __future__ import annotations

from pathlib import Path

NOTO_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto"))
FACES = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf", "italic": "NotoSans-Italic.ttf"}
# Basic Latin, Latin-1, Latin Extended-A/B, combining marks, Vietnamese
# (Latin Extended Additional), punctuation, currency (₫), arrows, math signs.
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00),
            *range(0x2000, 0x2070), *range(0x20A0, 0x20C0), *range(0x2190, 0x2200), 0x2212, 0x2248, 0x2264, 0x2265]


def find_font(file_name: str) -> Path | None:
    for folder in NOTO_DIRS:
        if (folder / file_name).exists():
            return folder / file_name
    return None


def make_web_fonts(out_dir: Path) -> list[Path]:
    """Write cp-sans-<face>.woff2 into out_dir unless already there; return the files.

    Raises FileNotFoundError naming the Debian package when the fonts are missing.
    """
    from fontTools import subset

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for face, file_name in FACES.items():
        target = out_dir / f"cp-sans-{face}.woff2"
        written.append(target)
        if target.exists():
            continue
        source = find_font(file_name)
        if source is None:
            raise FileNotFoundError(f"{file_name} not found: install Debian's fonts-noto-core (make system-deps)")
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]  # keep mark positioning: stacked Vietnamese diacritics need it
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=UNICODES)
        subsetter.subset(font)
        tmp = target.with_suffix(".tmp")
        subset.save_font(font, str(tmp), options)
        tmp.replace(target)
    return written
