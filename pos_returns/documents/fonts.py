"""Fonts for the paperwork, found through the system's font configuration.

ReportLab embeds TrueType (``glyf``) fonts only; a CFF-flavoured OpenType font (``OTTO``) cannot be
embedded, so it is never chosen. TrueType collections (``.ttc``) are used with their subfont index.

Where fonts come from, in order:

1. a font file named by the caller or by the ``POS_RETURNS_FONT`` setting (environment variable);
2. fontconfig (``fc-match -s`` for the language, then ``fc-list``), where it is installed (Linux, BSD, some macOS);
3. the system's font folder on Windows (``%WINDIR%\\Fonts``) and macOS.

Font files are read with fontTools (the sfnt tables and the ``cmap``), not by parsing headers here.
A font is taken for a language only when its character map covers every character of a representative
text of that language (and of the document being printed). When no font covers it,
:class:`FontMissing` says which package to install - the paperwork never prints boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from pos_returns.i18n import N_, UserError, normalize_language

ENV_FONT = "POS_RETURNS_FONT"

#: text every font for a language must cover: the language's own letters, digits, money and date marks
SAMPLES: dict[str, str] = {
    "en": "Return receipt, refund $1,234.56 - No. #0001: (Jan 10) 3:00 PM \u00a0\u2013\u2014%/*+=",
    "vi": "Biên nhận trả hàng: Hoàn tiền, đổi hàng, chữ ký khách hàng, quản lý duyệt; thg 1, 15:00 "
          "ẮẰẲẴẶắằẳẵặẤẦẨẪẬấầẩẫậĐđẾỀỂỄỆếềểễệỐỒỔỖỘốồổỗộỚỜỞỠỢớờởỡợỨỪỬỮỰứừửữựỲỴỶỸỳỵỷỹ 1.234\u00a0₫",
    "cs": "Doklad o vrácení: Příliš žluťoučký kůň úpěl ďábelské ódy. ČĎĚŇŘŠŤŮŽ čďěňřšťůž ÁÉÍÓÚÝ "
          "1\u00a0234,56\u00a0Kč",
    "zh_Hant": "退貨收據 換貨 無收據退貨單 經理核准單 門市 收銀機 交易編號 原始收據 數量 金額 稅額 退款 "
               "簽名 規則 重印 訓練 日期 時間 年月日 上午下午 總計 信用卡 現金 禮品卡 NT$1,234",
}

#: what to install when a language has no font, by platform
INSTALL_HINT: dict[str, dict[str, str]] = {
    "debian": {"zh_Hant": "fonts-wqy-zenhei (or fonts-droid-fallback)", "vi": "fonts-dejavu-core",
               "cs": "fonts-dejavu-core", "en": "fonts-dejavu-core"},
    "windows": {"zh_Hant": "the Chinese (Traditional) supplemental fonts (Settings > Optional features)",
                "vi": "Arial or Segoe UI", "cs": "Arial or Segoe UI", "en": "Arial or Segoe UI"},
    "other": {"zh_Hant": "a TrueType Chinese font such as WenQuanYi Zen Hei or Droid Sans Fallback",
              "vi": "DejaVu Sans", "cs": "DejaVu Sans", "en": "DejaVu Sans"},
}

LANGUAGE_NAMES = {"en": N_("English"), "vi": N_("Vietnamese"), "cs": N_("Czech"),
                  "zh_Hant": N_("Chinese (Traditional)")}

#: fontconfig language tags
_FC_LANG = {"en": "en", "vi": "vi", "cs": "cs", "zh_Hant": "zh-tw"}

# preferred file names in font folders without fontconfig (Windows, macOS), best first
_PREFERRED = ("dejavusans.ttf", "segoeui.ttf", "arial.ttf", "tahoma.ttf", "verdana.ttf", "msjh.ttc",
              "mingliu.ttc", "msyh.ttc", "simsun.ttc", "arial unicode.ttf", "wqy-zenhei.ttc",
              "droidsansfallbackfull.ttf", "droidsansfallback.ttf")


class FontMissing(UserError):
    """No TrueType font on this system covers what must be printed; the message names what to install."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0  # subfont of a TrueType collection
    family: str = ""
    bold: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.path, self.index)


# ----------------------------------------------------------------------------- reading font files

def _open_face(path: str | os.PathLike[str], index: int = 0):
    """The subfont ``index`` of a font file read with fontTools (tables load on first use), or None."""
    from fontTools.ttLib import TTFont, TTLibError
    try:
        return TTFont(str(path), fontNumber=index, lazy=True)
    except (TTLibError, OSError, ValueError, KeyError, IndexError, AssertionError, EOFError):
        return None
    except Exception:  # noqa: BLE001 - a damaged font file is "not usable", never a crash of the paperwork
        return None


def outline_kind(path: str | os.PathLike[str], index: int = 0) -> str:
    """'truetype', 'cff' or 'unknown' from the font's tables (collections: the subfont's), read by fontTools."""
    face = _open_face(path, index)
    if face is None:
        return "unknown"
    try:
        if "glyf" in face:
            return "truetype"
        if "CFF " in face or "CFF2" in face:
            return "cff"
        return "unknown"
    finally:
        face.close()


@lru_cache(maxsize=256)
def coverage(path: str, index: int = 0) -> frozenset[int]:
    """The code points a TrueType font maps to a real glyph (empty when it cannot be read or embedded).

    fontTools reads the best Unicode ``cmap`` subtable; code points mapped to glyph 0 (``.notdef``) do not count."""
    face = _open_face(path, index)
    if face is None:
        return frozenset()
    try:
        if "glyf" not in face:
            return frozenset()
        cmap = face.getBestCmap() or {}
        notdef = face.getGlyphOrder()[0] if cmap else None
        return frozenset(cp for cp, glyph in cmap.items() if glyph != notdef)
    except Exception:  # noqa: BLE001 - a damaged table: the font covers nothing we can rely on
        return frozenset()
    finally:
        face.close()


def _needed(text: str) -> set[int]:
    """Code points that need a glyph (spaces, controls and format characters do not)."""
    text = unicodedata.normalize("NFC", text)
    return {ord(ch) for ch in text if not (ch.isspace() and ch not in "\u00a0\u202f")
            and unicodedata.category(ch) not in ("Cc", "Cf")}


def covers(font: FontFile, text: str) -> bool:
    return _needed(text) <= coverage(font.path, font.index)


def missing_chars(font: FontFile, text: str) -> str:
    cov = coverage(font.path, font.index)
    return "".join(sorted({chr(cp) for cp in _needed(text) if cp not in cov}))


# ----------------------------------------------------------------------------- finding candidates

def _run(args: Sequence[str]) -> str:
    exe = shutil.which(args[0])
    if exe is None:
        return ""
    try:
        out = subprocess.run([exe, *args[1:]], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.decode("utf-8", "replace")


_FC_FORMAT = "%{file}\t%{index}\t%{fontformat}\t%{family[0]}\t%{weight}\n"


def _parse_fc(text: str) -> list[FontFile]:
    fonts = []
    for row in text.splitlines():
        bits = row.split("\t")
        if len(bits) < 5 or not bits[0]:
            continue
        path, index, fmt, family, weight = bits[:5]
        if fmt and fmt != "TrueType":
            continue
        try:
            idx = int(index or 0)
            bold = int(float(weight or 80)) >= 200  # fontconfig: 80 regular, 200 bold
        except ValueError:
            continue
        fonts.append(FontFile(path, idx, family, bold))
    return fonts


@lru_cache(maxsize=16)
def fontconfig_fonts(lang: str | None = None) -> tuple[FontFile, ...]:
    """TrueType fonts from fontconfig, best match for the language first (empty without fontconfig)."""
    pattern = "sans-serif" + (f":lang={_FC_LANG[lang]}" if lang else "")
    found = _parse_fc(_run(["fc-match", "-s", "--format", _FC_FORMAT, pattern]))
    found += _parse_fc(_run(["fc-list", "--format", _FC_FORMAT, ":fontformat=TrueType"]))
    seen: set[tuple[str, int]] = set()
    out = []
    for font in found:
        if font.key not in seen and not font.bold:
            seen.add(font.key)
            out.append(font)
    return tuple(out)


def _font_folders() -> list[Path]:
    if sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
        folders = [Path(windir) / "Fonts"] if windir else []
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return folders
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    return []


@lru_cache(maxsize=1)
def folder_fonts() -> tuple[FontFile, ...]:
    """TrueType fonts in the system's font folders (Windows, macOS), well-known names first."""
    files = []
    for folder in _font_folders():
        try:
            files.extend(p for p in folder.rglob("*") if p.suffix.lower() in (".ttf", ".ttc"))
        except OSError:
            continue

    def rank(p: Path) -> tuple[int, str]:
        name = p.name.lower()
        return (_PREFERRED.index(name) if name in _PREFERRED else len(_PREFERRED), name)

    out = []
    for p in sorted(files, key=rank):
        count = _subfont_count(p)
        for i in range(count):
            if outline_kind(p, i) == "truetype":
                out.append(FontFile(str(p), i, p.stem, "bold" in p.stem.lower() or p.stem.lower().endswith("bd")))
    return tuple(f for f in out if not f.bold)


def _subfont_count(path: str | os.PathLike[str]) -> int:
    """How many fonts a file holds: a collection's count (fontTools reads its header), else 1; 0 unreadable."""
    from fontTools.ttLib import TTLibError
    from fontTools.ttLib.sfnt import readTTCHeader
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"ttcf":
                return 1
            fh.seek(0)
            return min(readTTCHeader(fh).numFonts, 32)
    except (OSError, TTLibError, ValueError, EOFError):
        return 0


def _setting_font(explicit: str | os.PathLike[str] | None) -> FontFile | None:
    raw = str(explicit) if explicit else os.environ.get(ENV_FONT, "")
    if not raw:
        return None
    path, _, index = raw.partition("#")  # "file.ttc#1" names a subfont of a collection
    path = os.path.expanduser(path)
    try:
        idx = int(index) if index else 0
    except ValueError:
        raise FontMissing(N_("{setting}: the font setting {value} is not FILE or FILE#INDEX."),
                          setting=ENV_FONT, value=raw) from None
    if not os.path.isfile(path):
        raise FontMissing(N_("{setting}: the font file {path} does not exist."), setting=ENV_FONT, path=path)
    kind = outline_kind(path, idx)
    if kind != "truetype":
        raise FontMissing(N_("{path}: not a TrueType (glyf) font; ReportLab can only embed TrueType fonts, not "
                             "CFF/OpenType (.otf) ones. Name a .ttf or .ttc file."), path=path)
    return FontFile(path, idx, Path(path).stem)


def candidates(lang: str, explicit: str | os.PathLike[str] | None = None) -> list[FontFile]:
    """Every TrueType font worth trying for a language, best first."""
    out: list[FontFile] = []
    chosen = _setting_font(explicit)
    if chosen is not None:
        out.append(chosen)
    out.extend(fontconfig_fonts(lang))
    out.extend(folder_fonts())
    seen: set[tuple[str, int]] = set()
    unique = []
    for font in out:
        if font.key not in seen:
            seen.add(font.key)
            unique.append(font)
    return unique


def install_hint(lang: str) -> str:
    if sys.platform.startswith("win"):
        table = INSTALL_HINT["windows"]
    elif Path("/etc/debian_version").exists():
        table = INSTALL_HINT["debian"]
    else:
        table = INSTALL_HINT["other"]
    return table.get(lang, table["en"])


# ----------------------------------------------------------------------------- choosing and registering

@dataclass(frozen=True)
class FontSet:
    """The fonts a document is drawn with: a primary font (regular + bold) and fallbacks for stray text."""

    regular: str  # ReportLab font names, registered
    bold: str
    fake_bold: bool  # no bold face: bold text is drawn by stroking the regular one
    fallbacks: tuple[str, ...]  # further registered fonts for characters the primary lacks
    files: tuple[FontFile, ...]  # regular, then the fallbacks (same order as names)
    bold_file: FontFile | None = None

    def runs(self, text: str, bold: bool = False) -> list[tuple[str, str, bool]]:
        """Split text into (font name, text, stroke-for-bold) runs so every character has a glyph."""
        return list(_runs(self, text, bold))

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of ``text`` drawn in these fonts at ``size`` (the sum of its runs' widths)."""
        return _text_width(self, text, size, bold)


# A receipt measures the same words again and again while it wraps them (and every receipt has the same
# headings): runs and widths are pure functions of the font set and the text, kept here (bounded).

@lru_cache(maxsize=8192)
def _runs(fonts: FontSet, text: str, bold: bool) -> tuple[tuple[str, str, bool], ...]:
    text = unicodedata.normalize("NFC", text)
    names = (fonts.regular, *fonts.fallbacks)
    out: list[tuple[str, str, bool]] = []
    for ch in text:
        cp = ord(ch)
        choice = None
        if bold and fonts.bold_file is not None and (
                cp in coverage(fonts.bold_file.path, fonts.bold_file.index) or not _needed(ch)):
            choice = (fonts.bold, False)
        else:
            for name, font in zip(names, fonts.files):
                if cp in coverage(font.path, font.index) or not _needed(ch):
                    choice = (name, bold)
                    break
            if choice is None:
                choice = (fonts.regular, bold)
        if out and (out[-1][0], out[-1][2]) == choice:
            out[-1] = (choice[0], out[-1][1] + ch, choice[1])
        else:
            out.append((choice[0], ch, choice[1]))
    return tuple(out)


@lru_cache(maxsize=16384)
def _text_width(fonts: FontSet, text: str, size: float, bold: bool) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    return sum(stringWidth(run, name, size) for name, run, _fake in _runs(fonts, text, bold))


def register(font: FontFile) -> str:
    """Register a TrueType font with ReportLab (once) and return its name."""
    return _register(font.path, font.index)


@lru_cache(maxsize=64)
def _register(path: str, index: int) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    name = f"PR-{Path(path).stem}-{index}"
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name


@lru_cache(maxsize=64)
def _bold_of(font: FontFile, text: str) -> FontFile | None:
    """The bold face of the same family through fontconfig (or a '-Bold' file next to it), if it covers text.

    Kept per font and text (the language's sample): a document whose text is new (every receipt's is) asked
    fc-match again, a subprocess of about 5 ms, for the same answer (fontconfig's fonts are kept too)."""
    options = []
    if font.family:
        options += _parse_fc(_run(["fc-match", "--format", _FC_FORMAT, f"{font.family}:weight=bold"]))
    p = Path(font.path)
    for suffix in ("-Bold", "bd", "b", " Bold"):
        sibling = p.with_name(p.stem + suffix + p.suffix)
        if sibling.exists():
            options.append(FontFile(str(sibling), 0, font.family, True))
    for option in options:
        if option.family == font.family and option.key != font.key and option.bold \
                and outline_kind(option.path, option.index) == "truetype" and covers(option, text):
            return option
    return None


def fonts_for(lang: str, text: str = "", explicit: str | os.PathLike[str] | None = None) -> FontSet:
    """Choose and register the fonts for a document in ``lang`` whose text is ``text``.

    The primary font covers the language's sample text (and as much of ``text`` as any font does);
    characters of ``text`` it lacks (e.g. a Chinese store name on an English receipt) come from fallback
    fonts. Raises :class:`FontMissing` when the language, or a character of ``text``, has no font.
    """
    lang = normalize_language(lang)
    return _fonts_for(lang, unicodedata.normalize("NFC", text), str(explicit) if explicit else
                      os.environ.get(ENV_FONT, ""))


@lru_cache(maxsize=64)
def _fonts_for(lang: str, text: str, explicit: str) -> FontSet:
    sample = SAMPLES[lang]
    pool = candidates(lang, explicit or None)
    able = [f for f in pool if covers(f, sample)]
    if not able:
        if explicit:
            font = _setting_font(explicit)
            raise FontMissing(N_("The font {path} does not cover {language} (missing: {chars}); set {setting} to "
                                 "another font or install {package}."), path=font.path if font else explicit,
                              language=LANGUAGE_NAMES[lang], chars=missing_chars(font, sample) if font else "?",
                              setting=ENV_FONT, package=install_hint(lang))
        raise FontMissing(N_("No TrueType font covers {language}; install {package} or set {setting} to a .ttf/.ttc "
                             "font file that does."), language=LANGUAGE_NAMES[lang], package=install_hint(lang),
                          setting=ENV_FONT)
    primary = able[0]
    files = [primary]
    rest = _needed(text) - coverage(primary.path, primary.index)
    if rest:
        for font in pool + [f for other in SAMPLES if other != lang for f in candidates(other, explicit or None)]:
            if not rest:
                break
            got = rest & coverage(font.path, font.index)
            if got and font not in files:
                files.append(font)
                rest -= got
        if rest:
            chars = "".join(sorted(chr(c) for c in rest))
            raise FontMissing(N_("No TrueType font on this computer has the characters {chars}; install a font that "
                                 "does (e.g. {package}) or set {setting}."), chars=chars,
                              package=install_hint("zh_Hant"), setting=ENV_FONT)
    names = [register(f) for f in files]
    bold_file = _bold_of(primary, sample)
    bold = register(bold_file) if bold_file else names[0]
    return FontSet(regular=names[0], bold=bold, fake_bold=bold_file is None, fallbacks=tuple(names[1:]),
                   files=tuple(files), bold_file=bold_file)


def check_languages(langs: Iterable[str] = SAMPLES) -> dict[str, str]:
    """The font file chosen for each language (raises FontMissing for the first one without a font)."""
    return {lang: fonts_for(lang).files[0].path for lang in langs}
