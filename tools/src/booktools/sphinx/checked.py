"""Checked sentences: a sentence about results and its check are written once, in the prose.

A chapter's code computes the condition and hands it to the book with ``dlbook.claims.check``::

    check("relu_beats_sigmoid", relu_acc > sigmoid_acc)

and the prose wraps the very words that state it in the ``{checked}`` role, naming the
condition after the sentence, as a cross-reference names its target::

    {checked}`ReLU ends higher than the sigmoid after five epochs <relu_beats_sigmoid>`.
    {checked}``It reaches {glue:text}`relu_acc:.1%`, higher than the sigmoid <relu_beats_sigmoid>``.

(two backticks around a sentence that holds a role of its own). The same form works inside a
figure's ``:alt:`` text. The page shows the sentence alone; so do the Colab notebooks
(booktools.notebooks.colab) and the PDF. When the chapter's code is executed for the book, the build fails
(a warning, and the build treats warnings as errors), quoting the sentence, when:

- its condition is False: the run no longer supports the sentence;
- the chapter computed no condition of that name, or computed something other than True/False;
- the chapter computes a condition that no sentence uses (a check that guards nothing; not in the
  student edition, whose solutions are left out with the sentences they hold).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from booktools import myst

#: Glue names of conditions: ``dlbook.claims.check(name, ...)`` glues ``PREFIX + name``.
PREFIX = "checked:"
#: The role's content: the sentence, then the condition's name in angle brackets.
CONTENT = re.compile(r"(?P<text>.*?\S)\s*<(?P<name>[A-Za-z_]\w*)>\s*", re.S)

logger = logging.getLogger(__name__)


def sentence(content: str) -> str:
    """The sentence of a ``{checked}`` role's content (``sentence <condition>``)."""
    match = CONTENT.fullmatch(content)
    if not match:
        raise ValueError(
            f"{{checked}} needs a sentence, then its condition in angle brackets; got {content!r}."
        )
    return match["text"]


def plain(text: str) -> str:
    """Inline MyST (an alt text) with every well-formed ``{checked}`` role replaced by its sentence."""

    def role(name: str, content: str) -> str | None:
        match = CONTENT.fullmatch(content) if name == "checked" else None
        return match["text"] if match else None

    return myst.rewrite_inline(text, role=role)


def sentences(source: str) -> list[tuple[str, str]]:
    """``(sentence, condition)`` of every checked sentence of a MyST source, as MyST's parser
    finds them (in directives' bodies too; not in code)."""
    found = []
    for role in myst.roles(source):
        if role.name == "checked":
            match = CONTENT.fullmatch(role.content)
            found.append((match["text"], match["name"]) if match else (role.content, ""))
    return found


class CheckedRole(SphinxRole):
    """``{checked}`sentence <condition>```: the sentence, parsed as MyST, marked with its condition."""

    def run(self):
        match = CONTENT.fullmatch(self.text)
        if not match:
            logger.warning(
                f"{{checked}} needs the sentence, then the name of its condition in angle brackets, "
                f"e.g. {{checked}}`ReLU ends higher <relu_beats_sigmoid>`; got {self.text!r}.",
                location=self.get_location(),
                type="dlbook",
                subtype="checked",
            )
            return [nodes.inline(self.text, self.text)], []
        children, messages = self.inliner.parse(match["text"], self.lineno, None, nodes.inline())
        node = nodes.inline("", "", *children, classes=["checked"])
        node["checked"] = match["name"]
        node.source, node.line = self.get_source_info()
        return [node], messages


def conditions(app, docname: str) -> dict[str, str] | None:
    """Name -> ``text/plain`` of each condition the executed chapter glued (None: the page is
    not an executed notebook)."""
    config = getattr(app.env, "mystnb_config", None)
    if config is None:
        return None
    path = Path(config.output_folder).joinpath(*(docname + ".glue.json").split("/"))
    if not path.exists():
        executed = Path(config.output_folder).joinpath(*(docname + ".ipynb").split("/"))
        return {} if executed.exists() else None
    glued = json.loads(path.read_text())
    return {
        name[len(PREFIX) :]: out.get("data", {}).get("text/plain", "")
        for name, out in glued.items()
        if name.startswith(PREFIX)
    }


def problem(values: dict[str, str] | None, name: str) -> str | None:
    """What is wrong with a sentence bound to ``name``, or None."""
    if values is None:
        return "a checked sentence needs a chapter whose code is executed (a notebook page)"
    if name not in values:
        return f'the chapter computes no condition "{name}": add check("{name}", ...) to its code'
    if values[name] not in ("True", "False"):
        return f'the condition "{name}" is {values[name]!r}, not True or False'
    if values[name] == "False":
        return f'the run does not support this sentence (its condition "{name}" is False): reword it'

    return None


def check_source(source: str, values: dict[str, str]) -> list[str]:
    """The same checks as the build's, on a chapter's MyST source and the conditions its run
    glued (``values``: name -> ``text/plain``), without building the book (booktools try-chapter)."""
    found, used = [], set()
    for sentence, name in sentences(source):
        used.add(name)
        issue = problem(values, name)
        if issue:
            found.append(f'{issue}. The sentence: "{" ".join(sentence.split())}"')
    found += [
        f'the condition "{name}" is computed but no sentence uses it' for name in sorted(set(values) - used)
    ]
    return found


def check_document(app, doctree) -> None:
    """Check every checked sentence of a page, in its text and its images' alt text, and that
    every condition the chapter computed is used by a sentence."""
    docname = app.env.docname
    values = conditions(app, docname)
    used = set()

    def report(message: str, sentence: str, node) -> None:
        logger.warning(
            f'{message}. The sentence: "{sentence}"', location=node, type="dlbook", subtype="checked"
        )

    for node in list(doctree.findall(nodes.inline)):
        if "checked" in node.attributes:
            used.add(node["checked"])
            issue = problem(values, node["checked"])
            if issue:
                report(issue, " ".join(node.astext().split()), node)
    for image in doctree.findall(nodes.image):
        alt = image.get("alt", "")
        for sentence, name in sentences(alt):
            used.add(name)
            issue = problem(values, name)
            if issue:
                report(issue + " (in a figure's alt text)", sentence, image)
        if "{checked}" in alt:
            image["alt"] = plain(alt)
            if "{checked}" in image["alt"]:
                report("a {checked} role in this alt text is malformed", alt, image)
    if values and os.environ.get("DLBOOK_EDITION", "full") != "student":
        for name in sorted(set(values) - used):
            logger.warning(
                f'{docname}: the chapter computes the condition "{name}" (check("{name}", ...)) but no '
                "sentence uses it: bind it to the words it guards with {checked}`... <" + name + ">`, "
                "or remove it",
                location=docname,
                type="dlbook",
                subtype="checked",
            )


def setup(app) -> None:
    app.add_role("checked", CheckedRole())
    app.connect("doctree-read", check_document)
