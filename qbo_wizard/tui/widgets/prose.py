"""Step copy on screen: the part of Markdown the content files use, without a Markdown library.

The texts under `qbo_wizard/content/` use paragraphs, numbered and bulleted lists, **bold**,
*italic* (or _italic_), `code` and [links](https://…). `Prose` parses that subset once into
Textual `Content` and draws it the way Rich's Markdown renderer does (same styles, same list
numbers with a hanging indent, a blank line between blocks), at a fraction of the cost: showing a
step needs no Markdown parser, and Textual draws `Content` natively.

Anything outside the subset (a heading, a quote, a table) is shown as the plain text it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.content import Content, Span
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

# Rich's Markdown theme, as its renderer applied it (ANSI colours follow the app's theme).
CODE_STYLE = "bold ansi_cyan on ansi_black"
NUMBER_STYLE = "ansi_cyan"
BULLET_STYLE = "bold"
LINK_STYLE = "underline ansi_blue"
BULLET = " • "

_LIST_ITEM = re.compile(r"(?:(?P<number>\d{1,9})[.)]|(?P<bullet>[-*+]))[ \t]+(?P<text>.*)")
_INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\*\*(?P<strong>\S(?:.*?\S)?)\*\*"
    r"|(?<!\w)__(?P<strong_>\S(?:.*?\S)?)__(?!\w)"
    r"|\*(?P<em>[^\s*](?:.*?[^\s*])?)\*"
    r"|(?<!\w)_(?P<em_>[^\s_](?:.*?[^\s_])?)_(?!\w)"
    r"|\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)"
)


def inline_content(text: str) -> Content:
    """One paragraph's (or list item's) words, with its bold, italic, code and links styled."""
    plain: list[str] = []
    spans: list[Span] = []
    _parse_inline(text, plain, spans, 0)
    return Content("".join(plain), spans)


def _parse_inline(text: str, plain: list[str], spans: list[Span], offset: int) -> int:
    """Append `text`'s characters to `plain` and its styles to `spans`; the new offset."""
    position = 0
    for match in _INLINE.finditer(text):
        before = text[position : match.start()]
        plain.append(before)
        offset += len(before)
        start = offset
        kind = match.lastgroup
        inner = match.group(kind or 0)
        if kind == "code":
            plain.append(inner)
            offset += len(inner)
            spans.append(Span(start, offset, CODE_STYLE))
        elif kind == "url":
            offset = _parse_inline(match.group("label"), plain, spans, offset)
            spans.append(Span(start, offset, Style.parse(LINK_STYLE) + Style(link=inner)))
        else:
            offset = _parse_inline(inner, plain, spans, offset)
            spans.append(Span(start, offset, "bold" if kind in ("strong", "strong_") else "italic"))
        position = match.end()
    rest = text[position:]
    plain.append(rest)
    return offset + len(rest)


@dataclass(frozen=True)
class Block:
    """A paragraph (no marker) or one list item (its number or bullet, drawn as a hanging
    indent); `spaced` blocks have a blank line above them."""

    text: Content
    marker: Content | None = None
    spaced: bool = True

    @property
    def indent(self) -> int:
        return self.marker.cell_length if self.marker is not None else 0


def parse_blocks(markdown: str) -> list[Block]:
    """Split step copy into paragraphs and list items (the items of one list are not spaced).

    As in CommonMark: lines run on until a blank line; a list item's later lines belong to it;
    inside a paragraph only a bullet or a `1.` starts a list; a list numbers on from its first
    item's number.
    """
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[list[str]] = []  # the open list's items, each a list of lines
    numbered: list[int] = []  # [first number] while the open list is numbered

    def close() -> None:
        if paragraph:
            blocks.append(Block(inline_content(" ".join(paragraph))))
            paragraph.clear()
        width = len(str(numbered[0] + len(items) - 1)) + 2 if numbered else 0
        for index, lines in enumerate(items):
            if numbered:
                marker = Content.styled(
                    f"{numbered[0] + index}".rjust(width - 1) + " ", NUMBER_STYLE
                )
            else:
                marker = Content.styled(BULLET, BULLET_STYLE)
            blocks.append(Block(inline_content(" ".join(lines)), marker, spaced=index == 0))
        items.clear()
        numbered.clear()

    for raw in markdown.strip().splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        item = _LIST_ITEM.fullmatch(line)
        if item is not None:
            number = item.group("number")
            if paragraph and number not in (None, "1"):
                item = None  # a number inside a paragraph is just text
            elif items and (number is None) == bool(numbered):
                close()  # bullets after numbers (or the reverse) make a new list
        if item is None:
            (items[-1] if items else paragraph).append(line)
            continue
        if not items:
            close()
            if item.group("number") is not None:
                numbered.append(int(item.group("number")))
        items.append([item.group("text").strip()])
    close()
    return blocks


class ProseVisual(Visual):
    """Blocks drawn one under the other: wrapped to the width, list items with their marker
    on the first line and the rest indented under their text.

    With `fill`, each line of text is extended to the full width in that style (so a
    highlighted label reads as one block, as a widget's background would).
    """

    def __init__(self, blocks: list[Block], *, fill: Style | None = None) -> None:
        self.blocks = blocks
        self.fill = fill

    def __str__(self) -> str:
        """The words as plain text: blocks on their own lines, a blank line between."""
        lines: list[str] = []
        for number, block in enumerate(self.blocks):
            if number and block.spaced:
                lines.append("")
            marker = block.marker.plain if block.marker is not None else ""
            lines.append(marker + block.text.plain)
        return "\n".join(lines)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if not width:
            return []
        strips: list[Strip] = []
        plain = RenderOptions(options.get_style, options.rules, post_style=options.post_style)
        rich_style = style.rich_style
        for number, block in enumerate(self.blocks):
            if number and block.spaced:
                strips.append(Strip([Segment(" " * width, rich_style)], width))
            indent = block.indent
            inner = max(1, width - indent)
            lines = block.text.render_strips(inner, None, style, plain)
            if self.fill is not None:
                fill = (style + self.fill).rich_style
                lines = [line.extend_cell_length(inner, fill) for line in lines]
            if block.marker is not None:
                marker = block.marker.render_strips(indent, 1, style, plain)[0]
                padding = Strip([Segment(" " * indent, rich_style)], indent)
                lines = [
                    Strip.join([marker if index == 0 else padding, line])
                    for index, line in enumerate(lines)
                ]
            strips.extend(lines)
            if height is not None and len(strips) >= height:
                return strips[:height]
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max(
            (
                block.indent + block.text.get_optimal_width(rules, container_width)
                for block in self.blocks
            ),
            default=0,
        )

    def get_minimal_width(self, rules: RulesMap) -> int:
        return max(
            (block.indent + block.text.get_minimal_width(rules) for block in self.blocks),
            default=1,
        )

    def get_height(self, rules: RulesMap, width: int) -> int:
        height = 0
        for number, block in enumerate(self.blocks):
            if number and block.spaced:
                height += 1
            height += block.text.get_height(rules, max(1, width - block.indent))
        return height


class Prose(Static):
    """Step copy written in Markdown (the subset above), drawn as one widget."""

    def __init__(self, text: str, *, classes: str = "", id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(ProseVisual(parse_blocks(text)), classes=f"prose {classes}".strip(), id=id)
