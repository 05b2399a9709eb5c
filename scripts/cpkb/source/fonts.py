"""Self-hosted web fonts, made at build time from a registry package.

Debian's fonts-noto-core ships complete Noto Sans TTFs (about 500 KB each);
we subset them to the characters the site's text uses, Vietnamese and Latin,
as WOFF2 into docs/assets/fonts/, which is git-ignored: no font file is
committed and no page asks Google Fonts or a CDN for anything. Every page
loads two faces (regular and bold), so their size counts in every first view:
without TrueType hinting (browsers rasterise outlines well without it) and
with only the OpenType features Latin and Vietnamese text needs, a face is
20 KiB instead of 64 KiB. A character outside the subset (Greek, Thai...) is
drawn by the reader's own fallback font. The PDF embeds the full TTFs.
"""

from __future__ import annotations

from pathlib import Path

NOTO_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto"))
FACES = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf", "italic": "NotoSans-Italic.ttf"}
# Basic Latin, Latin-1, Latin Extended-A (names such as Čapek), the letters of
# Extended-B that Vietnamese uses (Ơ ơ Ư ư), the combining marks of Vietnamese
# tones, its precomposed letters (Latin Extended Additional, Ạ to ỹ),
# punctuation, super- and subscripts (m³, CO₂), currency (₫), arrows, math signs.
UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    0x1A0,
    0x1A1,
    0x1AF,
    0x1B0,
    *range(0x300, 0x305),
    0x309,
    0x323,
    *range(0x1EA0, 0x1EFA),
    *range(0x2000, 0x20C0),
    *range(0x2190, 0x2200),
    0x2212,
    0x2248,
    0x2264,
    0x2265,
]
FEATURES = ["ccmp", "locl", "mark", "mkmk", "kern", "liga", "clig", "calt"]
"""Kept OpenType features: mark positioning stacks the Vietnamese diacritics (ề ẫ ự ỗ)."""
RECIPE = "2: unhinted, Latin + Vietnamese, " + ",".join(FEATURES)
"""Changes when the subsetting changes, so that fonts made before are made again."""


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
    recipe = out_dir / ".recipe"  # not published: MkDocs skips dot files
    fresh = recipe.exists() and recipe.read_text(encoding="utf-8") == RECIPE
    written = []
    for face, file_name in FACES.items():
        target = out_dir / f"cp-sans-{face}.woff2"
        written.append(target)
        if fresh and target.exists():
            continue
        source = find_font(file_name)
        if source is None:
            raise FileNotFoundError(f"{file_name} not found: install Debian's fonts-noto-core (make system-deps)")
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = FEATURES
        options.hinting = False
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=UNICODES)
        subsetter.subset(font)
        tmp = target.with_suffix(".tmp")
        subset.save_font(font, str(tmp), options)
        tmp.replace(target)
    recipe.write_text(RECIPE, encoding="utf-8")
    return written
