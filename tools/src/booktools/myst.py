"""MyST read with the parser myst-parser itself uses (markdown-it-py with its MyST plugins), for
everything that reads or rewrites the chapters' sources outside Sphinx: the Colab converter, the
reading times, the release's table of numbers, chapter titles, glossary terms, the pages that
paste another chapter's values.

- :func:`parse` gives markdown-it's tokens; :func:`directive` names a fenced directive
  (```` ```{exercise} ````, ``:::{grid}``) and :func:`options` splits its options from its body;
- :func:`roles` lists every role of a text, in directives' MyST bodies too;
- :func:`rewrite` rewrites a text block by block and role by role, keeping everything else as
  written: the converter hands it what to do with each directive, target, role and
  substitution, and anything it does not handle is kept, or refused where the converter says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

#: The book's MyST syntax extensions (_config.yml, parse.myst_enable_extensions; a test keeps
#: the two the same).
EXTENSIONS = ("colon_fence", "deflist", "dollarmath", "amsmath", "substitution")
#: Directives whose body is MyST prose (read and rewritten as such); any other directive's body
#: is its own syntax (code, a glossary, a table of figures) and is left as it is.
PROSE_DIRECTIVES = {
    "admonition",
    "note",
    "tip",
    "important",
    "warning",
    "exercise",
    "solution",
    "glue:figure",
    "figure",
    "grid",
    "grid-item",
    "grid-item-card",
}


@cache
def parser() -> MarkdownIt:
    """The parser myst-parser itself uses, with the book's syntax extensions."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=set(EXTENSIONS)), RendererHTML)


def parse(text: str) -> list[Token]:
    """The block tokens of a MyST text (inline tokens hold their children)."""
    return parser().parse(text)


def directive(token: Token) -> tuple[str, str] | None:
    """``(name, argument)`` of a fenced directive (``{name} argument``), or None for a code block."""
    if token.type not in ("fence", "colon_fence"):
        return None
    found = re.fullmatch(r"\{([\w:.-]+)\}\s*(.*)", token.info.strip(), re.S)
    return (found.group(1), found.group(2).strip()) if found else None


def options(body: str) -> tuple[dict, str]:
    """A directive's options (``:name: value`` lines or a ``---`` YAML block) and the rest."""
    import yaml

    lines = body.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), len(lines))
        return yaml.safe_load("".join(lines[1:end])) or {}, "".join(lines[end + 1 :])
    found, i = {}, 0
    while i < len(lines) and (option := re.match(r"^:([\w-]+):(.*)$", lines[i])):
        found[option[1]] = yaml.safe_load(option[2].strip() or "null")
        i += 1
    return found, "".join(lines[i:])


@dataclass(frozen=True)
class Role:
    name: str  # "glue:text", "ref", "term", "checked"...
    content: str  # what is between the backticks
    line: int  # the line it is on, counted from 0, in the text given


def inline_tokens(tokens: list[Token]) -> Iterator[Token]:
    """Inline tokens and, depth first, their children."""
    for token in tokens:
        yield token
        if token.children:
            yield from inline_tokens(token.children)


#: Roles whose content is MyST prose too: a checked sentence may hold glued values.
PROSE_ROLES = {"checked"}


def paragraphs(text: str) -> Iterator[tuple[int, list[Token]]]:
    """``(line, inline tokens)`` of every paragraph, heading or table cell of ``text``, in
    directives' MyST bodies too, in reading order (code blocks hold none)."""
    for token in parse(text):
        if token.type == "inline":
            yield (token.map[0] if token.map else 0), token.children or []
        named = directive(token)
        if named and named[0] in PROSE_DIRECTIVES and token.map:
            found, body = options(token.content)
            if isinstance(found.get("alt"), str):  # a figure's alt text: prose, bound sentences too
                yield token.map[0] + 1, parser().parseInline(found["alt"])[0].children or []
            start = token.map[1] - 1 - len(body.splitlines())  # the body's first line
            yield from ((start + line, children) for line, children in paragraphs(body))


def _role_sentence(token: Token) -> list[Token]:
    """The inline tokens of a prose role's sentence (a checked sentence without its condition)."""
    sentence = re.sub(r"\s*<\w+>\s*$", "", token.content)
    return parser().parseInline(sentence)[0].children or []


def _flat(children: list[Token]) -> Iterator[Token]:
    """Inline tokens in reading order, the sentences of prose roles opened in place."""
    for token in inline_tokens(children):
        yield token
        if token.type == "myst_role" and token.meta.get("name") in PROSE_ROLES:
            yield from _flat(_role_sentence(token))


def roles(text: str) -> list[Role]:
    """Every role in ``text``, in order: those inside directives' MyST bodies and checked
    sentences included, not those in code (a role in a code span or a code block is code)."""
    return [
        Role(token.meta.get("name", ""), token.content, line)
        for line, children in paragraphs(text)
        for token in _flat(children)
        if token.type == "myst_role"
    ]


@dataclass(frozen=True)
class GlueUse:
    path: str  # the chapter it pastes from, or "" for the chapter's own value
    name: str
    spec: str  # the format: ".1%", or ""
    before: str  # the last few words of prose before it in its paragraph: where it sits


def glue_uses(text: str, words: int = 8) -> list[GlueUse]:
    """Every ``{glue:text}`` of ``text`` in order, with the few words before it (other glued
    values in them show as "…", a cross-reference by its text)."""
    found = []
    for _, children in paragraphs(text):
        seen: list[str] = []
        for token in _flat(children):
            name = token.meta.get("name", "")
            if token.type in ("text", "code_inline"):
                seen += token.content.split()
            elif token.type == "myst_role" and name in ("glue", "glue:text"):
                shown = ("… " if len(seen) > words else "") + " ".join(seen[-words:])
                found.append(GlueUse(*glue_target(token.content), shown))
                seen.append("…")
            elif token.type == "myst_role" and name not in PROSE_ROLES:  # a link: its text
                seen += re.sub(r"\s*<[^>]*>\s*$", "", token.content).split()
    return found


def title(text: str) -> str | None:
    """The text of the first ``#`` heading."""
    tokens = parse(text)
    for heading, inline in zip(tokens, tokens[1:], strict=False):
        if heading.type == "heading_open" and heading.tag == "h1":
            return inline.content.strip()
    return None


def glue_target(content: str) -> tuple[str, str, str]:
    """A ``{glue:text}`` role's content as ``(path, name, format)``: ``name:.1%`` gives
    ``("", "name", ".1%")``; ``other.md::name:.1%``, a value another chapter glued, gives
    ``("other.md", "name", ".1%")``."""
    path, _, rest = content.rpartition("::")
    name, _, spec = rest.partition(":")
    return path, name.strip(), spec


def role_pattern(token: Token) -> re.Pattern:
    """How a role can be written: ``{name}`content```, with more backticks than its content holds
    in a row (markdown-it keeps no record of how many), and its content's spaces as any white
    space, line breaks included (markdown-it joins a role's lines with a space)."""
    longest = max((len(run) for run in re.findall("`+", token.content)), default=0)
    words = r"\s+".join(re.escape(word) for word in token.content.split())
    ticks = f"(`{{{longest + 1},{longest + 3}}})"
    return re.compile(
        r"\{" + re.escape(token.meta.get("name", "")) + r"\}" + ticks + r"\s*" + words + r"\s*\1"
    )


def rewrite_inline(
    source: str,
    role: Callable[[str, str], str | None] | None = None,
    substitution: Callable[[str], str] | None = None,
    strong: str | None = None,
) -> str:
    """``source`` (inline MyST: a paragraph's or a heading's lines) with each role replaced by
    ``role(name, content)`` (None: kept as written), each ``{{ name }}`` by
    ``substitution(name)`` and, with ``strong``, each ``**`` of bold text by it. Code spans are
    left as they are. Each replaced piece is found in the source in the order the parser met it,
    so nothing that only looks like a role is touched.
    """
    tokens = parser().parseInline(source)[0].children or []
    out, cursor = [], 0

    def advance(piece: str | re.Pattern, replace: Callable[[re.Match], str] | None) -> None:
        """Copy up to the next ``piece`` (a string or a pattern), then it, or what ``replace``
        makes of it."""
        nonlocal cursor
        pattern = piece if isinstance(piece, re.Pattern) else re.compile(re.escape(piece))
        found = pattern.search(source, cursor)
        if found is None:
            raise ValueError(
                f"MyST the parser found is not in the text as written: {pattern.pattern!r} in {source!r}"
            )
        out.append(source[cursor : found.start()])
        out.append(found.group(0) if replace is None else replace(found))
        cursor = found.end()

    def role_as_written(name: str):
        """The role's content as the source has it (its line breaks kept), handed to ``role``."""

        def replace(found: re.Match) -> str:
            ticks = len(found.group(1))
            replaced = role(name, found.group(0)[len(name) + 2 + ticks : -ticks])
            return found.group(0) if replaced is None else replaced

        return replace

    for token in inline_tokens(tokens):
        if token.type == "math_inline":  # skip past it: what looks like markup in it is mathematics
            words = r"\s*".join(re.escape(part) for part in token.content.split())
            advance(re.compile(r"\$\s*" + words + r"\s*\$"), None)
        elif token.type == "html_inline":  # skip past it, as written
            advance(token.content, None)
        elif token.type == "code_inline":
            # skip past it (code is code); its spaces may be line breaks in the source
            words = r"\s+".join(re.escape(word) for word in token.content.split())
            advance(
                re.compile(re.escape(token.markup) + r"\s*" + words + r"\s*" + re.escape(token.markup)), None
            )
        elif token.type == "myst_role" and role is not None:
            advance(role_pattern(token), role_as_written(token.meta.get("name", "")))
        elif token.type == "substitution_inline" and substitution is not None:
            written = re.compile(r"\{\{\s*" + re.escape(token.content.strip()) + r"\s*\}\}")
            found = written.search(source, cursor)
            if found is None:
                raise ValueError(f"substitution {token.content!r} not found as written in {source!r}")
            out.append(source[cursor : found.start()])
            out.append(substitution(token.content.strip()))
            cursor = found.end()
        elif token.type in ("strong_open", "strong_close") and strong is not None and token.markup == "**":
            advance("**", lambda found: strong)
    out.append(source[cursor:])
    return "".join(out)


#: The block tokens :func:`rewrite` hands to its ``block`` callback.
BLOCKS = ("fence", "colon_fence", "myst_target", "dl_open", "substitution_block")


def rewrite(
    text: str,
    block: Callable[[Token, str], str | None],
    inline: Callable[[str], str],
) -> str:
    """``text`` rewritten block by block: each directive, target, definition list or block
    substitution goes to ``block(token, source)`` (its source lines; None keeps them as they are,
    "" drops them, and another string replaces them up to their last line break, which is kept;
    what is inside them is not read again), and the lines of every other paragraph, heading and
    table cell go through ``inline``. Code blocks, math and blank lines are kept as written."""
    lines = text.splitlines(keepends=True)
    edits: dict[int, tuple[int, str]] = {}
    covered = 0  # the lines before this one belong to a block already replaced
    for token in parse(text):
        if token.map is None or token.map[0] < covered:
            continue
        start, end = token.map
        source = "".join(lines[start:end])
        if token.type in BLOCKS:
            replaced = block(token, source)
            if replaced is not None:
                kept = "\n" if replaced and source.endswith("\n") else ""
                edits[start], covered = (end, replaced + kept), end
        elif token.type == "inline":
            end = max(end, start + 1)  # a definition's term has an empty map (markdown-it's deflist)
            edits[start] = (end, inline("".join(lines[start:end])))
    out, line = [], 0
    while line < len(lines):
        if line in edits:
            end, replacement = edits[line]
            out.append(replacement)
            line = max(end, line + 1)
        else:
            out.append(lines[line])
            line += 1
    return "".join(out)
