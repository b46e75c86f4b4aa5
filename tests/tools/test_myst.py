"""booktools.myst: MyST read by MyST's own parser, so that what only looks like MyST (in code) is
left alone and what MyST writes across lines is still found."""

from booktools import myst, project
from booktools.sphinx import checked

SOURCE = """(sec-a)=
# The title

The network got {glue:text}`acc:.1%` on the {term}`validation set <val>` after
{glue:text}`epochs` epochs; `{glue:text}` is the role's name, in code.

```python
print("{ref}`not-a-role`")
```

```{glue:figure} fig-x
:alt: Curves; {checked}`the loss falls <loss_falls>`.

Caption with {glue:text}`first-program.md::first_val_acc:.1%`.
```
"""


def test_the_book_parses_with_the_extensions_its_configuration_enables():
    enabled = project.config()["parse"]["myst_enable_extensions"]
    assert set(myst.EXTENSIONS) == set(enabled)


def test_roles_are_found_in_prose_directive_bodies_and_alt_texts_not_in_code():
    found = [(role.name, role.content) for role in myst.roles(SOURCE)]
    assert found == [
        ("glue:text", "acc:.1%"),
        ("term", "validation set <val>"),
        ("glue:text", "epochs"),
        ("checked", "the loss falls <loss_falls>"),
        ("glue:text", "first-program.md::first_val_acc:.1%"),
    ]
    assert checked.sentences(SOURCE) == [("the loss falls", "loss_falls")]


def test_glue_uses_name_the_value_its_format_and_the_words_before_it():
    uses = myst.glue_uses(SOURCE)
    assert [(u.path, u.name, u.spec) for u in uses] == [
        ("", "acc", ".1%"),
        ("", "epochs", ""),
        ("first-program.md", "first_val_acc", ".1%"),
    ]
    assert uses[0].before == "The network got"
    assert uses[1].before == "… network got … on the validation set after"  # a link by its text
    long = myst.glue_uses("a b c d e f g h i j {glue}`x`")
    assert long[0].before == "… c d e f g h i j"


def test_rewriting_leaves_code_alone_and_keeps_line_breaks_of_a_role():
    text = "A {checked}`sentence\nover two lines <c>` and `{checked}`code <c>``.\n"
    rewritten = myst.rewrite_inline(text, role=lambda name, content: content.upper())
    assert rewritten == "A SENTENCE\nOVER TWO LINES <C> and `{checked}`code <c>``.\n"
    assert myst.rewrite_inline("**bold** and `**code**`", strong="*") == "*bold* and `**code**`"


def test_a_role_written_with_two_backticks_is_found_as_written():
    text = "x {checked}``holds {glue:text}`v` inside <c>`` y"
    assert myst.rewrite_inline(text, role=lambda name, content: f"[{name}]") == "x [checked] y"


def test_rewrite_hands_blocks_over_and_keeps_code_blocks():
    def block(token, source):
        return "" if token.type == "myst_target" else None

    rewritten = myst.rewrite(SOURCE, block, lambda source: source.replace("The network", "It"))
    assert not rewritten.startswith("(sec-a)=")
    assert "It got" in rewritten and 'print("{ref}`not-a-role`")' in rewritten


def test_title_is_the_first_level_one_heading():
    assert myst.title(SOURCE) == "The title"
    assert myst.title("## only a section\n") is None
