"""The summary as a one-page A4 PDF (fpdf2), in large type that reads on a phone.

The page is given as plain words (`SummaryPage`), already taken from the text catalogue. The
font is DejaVu Sans, shipped with matplotlib (already a dependency), so names and skills in any
Latin, Greek or Cyrillic letters show; a character the font lacks is left out before drawing
(fpdf2 would otherwise log it, and logs never hold what a member wrote).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

SIZES = (18, 16, 14, 12, 11, 10)  # body sizes tried, largest first, until the page fits
ELLIPSIS = "…"


@dataclass(frozen=True)
class Section:
    """A heading and its lines."""

    heading: str
    lines: tuple[str, ...]
    bulleted: bool = False  # each line after a bullet, wrapped lines indented


@dataclass(frozen=True)
class SummaryPage:
    """Everything the page says, in order: a title, a line under it, sections, a last line."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str


def _font_files() -> tuple[Path, Path]:
    """DejaVu Sans and DejaVu Sans Bold from matplotlib's own data."""
    import matplotlib  # only when a summary is made, on a worker thread

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def render_summary(page: SummaryPage) -> bytes:
    """The page as PDF bytes: always one page (smaller type, then fewer lines, until it
    fits). Slow work for the CPU: call it on a worker thread."""
    for size in SIZES:
        pdf = _draw(page, size)
        if pdf.page_no() == 1:
            return bytes(pdf.output())
    while True:  # still too long at the smallest size: the longest section loses a line
        page = _shorter(page)
        pdf = _draw(page, SIZES[-1])
        if pdf.page_no() == 1:
            return bytes(pdf.output())


def _shorter(page: SummaryPage) -> SummaryPage:
    """The page with one line fewer in its longest section (its last line becomes '…')."""
    index = max(range(len(page.sections)), key=lambda i: len(page.sections[i].lines))
    section = page.sections[index]
    if len(section.lines) <= 1:
        return replace(page, sections=page.sections[:-1])
    kept = section.lines[:-1]
    lines = (*kept[:-1], ELLIPSIS) if kept[-1:] != (ELLIPSIS,) else (*kept[:-2], ELLIPSIS)
    sections = list(page.sections)
    sections[index] = replace(section, lines=lines)
    return replace(page, sections=tuple(sections))


def _draw(page: SummaryPage, size: int):
    """Lay the page out with body text of ``size`` points."""
    from fpdf import FPDF  # loaded with the first summary

    regular, bold = _font_files()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(_only_drawable(page.title, None))
    pdf.set_creator("forum bot")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold))
    glyphs = pdf.fonts["body"].cmap
    line = size * 0.45  # mm per line: about 1.3 times the type
    pdf.add_page()
    pdf.set_font("body", "B", size + 8)
    pdf.multi_cell(
        0, line + 4, _only_drawable(page.title, glyphs), new_x="LMARGIN", new_y="NEXT", align="L"
    )
    pdf.set_font("body", "", size)
    pdf.multi_cell(
        0, line, _only_drawable(page.subtitle, glyphs), new_x="LMARGIN", new_y="NEXT", align="L"
    )
    for section in page.sections:
        pdf.ln(line * 0.6)
        pdf.set_font("body", "B", size + 2)
        heading = _only_drawable(section.heading, glyphs)
        pdf.multi_cell(0, line + 1, heading, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("body", "", size)
        for text in section.lines:
            if section.bulleted:
                pdf.cell(size * 0.45, line, "•")
            drawn = _only_drawable(text, glyphs)
            pdf.multi_cell(0, line, drawn, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(line * 0.8)
    pdf.set_font("body", "", max(size - 3, 10))
    pdf.multi_cell(
        0, line, _only_drawable(page.footer, glyphs), new_x="LMARGIN", new_y="NEXT", align="L"
    )
    return pdf


def _only_drawable(text: str, glyphs: dict | None) -> str:
    """The text less characters the font cannot draw (and control characters)."""
    kept = (
        char
        for char in text
        if char == "\n" or (char.isprintable() and (glyphs is None or ord(char) in glyphs))
    )
    return "".join(kept)
