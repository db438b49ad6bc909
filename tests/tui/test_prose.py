"""Step copy on screen: the Markdown the content files use, drawn without a Markdown library."""

from __future__ import annotations

from textual.style import Style
from textual.visual import RenderOptions

from qbo_wizard.core.step_content import load_step_content
from qbo_wizard.core.steps import STEP_IDS
from qbo_wizard.tui.widgets.prose import (
    CODE_STYLE,
    ProseVisual,
    inline_content,
    parse_blocks,
)


def drawn(markdown: str, width: int) -> list[str]:
    """The lines `markdown` is drawn as at `width` cells, trailing spaces removed."""
    visual = ProseVisual(parse_blocks(markdown))
    strips = visual.render_strips(width, None, Style(), RenderOptions(Style.parse, {}))
    assert len(strips) == visual.get_height({}, width)
    return [strip.text.rstrip() for strip in strips]


def styled(markdown: str) -> dict[str, str]:
    """Each styled run of one paragraph's words, with its style."""
    content = inline_content(markdown)
    return {content.plain[span.start : span.end]: str(span.style) for span in content.spans}


def test_paragraphs_wrap_and_lists_keep_their_numbers_with_a_hanging_indent() -> None:
    text = (
        "Along the way\nyou will:\n\n"
        "1. create an app for the integration in the Intuit Developer portal,\n"
        "2. enter the keys.\n\n"
        "- a bullet that is long enough to wrap\n"
        "- another"
    )
    assert drawn(text, 30) == [
        "Along the way you will:",
        "",
        " 1 create an app for the",
        "   integration in the Intuit",
        "   Developer portal,",
        " 2 enter the keys.",
        "",
        " • a bullet that is long",
        "   enough to wrap",
        " • another",
    ]


def test_a_list_numbers_on_from_its_first_item_and_a_number_inside_a_paragraph_is_text() -> None:
    assert drawn("7. seven\n8. eight\n9. nine\n10. ten", 20) == [
        "  7 seven",
        "  8 eight",
        "  9 nine",
        " 10 ten",
    ]
    assert drawn("Steps 3 and\n4. are optional", 40) == ["Steps 3 and 4. are optional"]


def test_bold_italic_code_and_links_are_styled_and_their_markers_are_not_shown() -> None:
    text = "An **app** with *no* `secret`, _here_ and [the portal](https://developer.intuit.com/)."
    assert inline_content(text).plain == "An app with no secret, here and the portal."
    runs = styled(text)
    assert runs["app"] == "bold"
    assert runs["no"] == runs["here"] == "italic"
    assert runs["secret"] == CODE_STYLE
    assert "underline" in runs["the portal"]
    assert inline_content("snake_case_name stays").plain == "snake_case_name stays"


def test_every_step_text_is_understood_no_markdown_marker_is_left_on_screen() -> None:
    for step_id in STEP_IDS:
        content = load_step_content(step_id)
        texts = [content.intro, content.skip_note, *content.texts.values()]
        texts += [callout.body for callout in content.callouts]
        texts += [item.detail for item in content.checklist]
        if content.choice is not None:
            texts += [option.body for option in content.choice.options]
        for text in filter(None, texts):
            shown = str(ProseVisual(parse_blocks(text)))
            assert "**" not in shown and "`" not in shown, (step_id, text)
