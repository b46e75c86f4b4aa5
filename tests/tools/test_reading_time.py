"""Reading times on the instructors page: counted from the sources, and the page shows the count."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from booktools import project, reading_time

ROOT = Path(__file__).resolve().parents[2]

SOURCE = """---
jupytext: {}
---
(ch-x)=
# A title here

Some prose with a {glue:text}`acc:.1%` value and {ref}`a link <ch-y>`.
It is {checked}``higher than {glue:text}`b` <acc_higher>``, {checked}`far <far_off>`.

```{code-cell} ipython3
:tags: [remove-stderr]
import keras

x = 1
```

```{code-cell} ipython3
:tags: [remove-cell]
glue("acc", 0.5)
```

```{exercise}
:label: ex-a

Predict it.
```
"""


def test_counts_prose_and_visible_code_only():
    counted = reading_time.count(SOURCE)
    # "A title here" + "Some prose with a acc value and a link" + "It is higher than b far" + "Predict it."
    assert counted.words == 3 + 9 + 6 + 2
    assert counted.code_lines == 2  # the hidden cell and the tag line are not shown
    assert counted.minutes == 1


def test_reads_myst_as_myst_parser_does():
    source = (
        "Text with `x_train` and $x^2$.\n\n"
        "```python\nimport os\n\nos.environ\n```\n\n"  # a code block shown, not run: code
        ":::{note}\nInside a note.\n:::\n\n"  # a colon-fenced directive: its content is prose
        "```{glue:figure} fig\n---\nname: fig-x\nalt: Words that are not shown.\n---\n"
        "The caption.\n```\n\n"
        "````{solution} ex-a\n:class: dropdown\n\nSee {term}`the loss <loss>`.\n````\n"
    )
    counted = reading_time.count(source)
    # "Text with x_train and x 2" + "Inside a note." + "The caption." + "See the loss"
    assert counted.words == 6 + 3 + 2 + 3
    assert counted.code_lines == 2


def test_minutes_add_prose_code_and_running_time():
    counted = reading_time.Count(words=2 * reading_time.WORDS_PER_MINUTE, code_lines=60, run_seconds=120)
    assert counted.minutes == 2 + 60 * reading_time.SECONDS_PER_CODE_LINE // 60 + 2
    assert reading_time.Count(words=1, code_lines=0).minutes == 1  # rounded up


def test_running_time_is_the_benchmarks_measurement_of_every_chapter_as_it_is():
    """Each chapter's running time comes from the benchmark's reading section, which times every
    notebook chapter of the table of contents but the appendix (that only reads the results)."""
    from dlbook import measurements

    reading = measurements.load()["reading"]
    measured = reading["chapter_seconds"]
    assert reading_time.run_seconds("book/convolutional", ROOT) == measured["book/convolutional"] > 10
    assert reading_time.run_seconds("book/backends-and-speed", ROOT) == 0.0  # the benchmark does not time it
    assert set(measured) == set(project.chapters(ROOT)) - {"book/backends-and-speed"}
    assert reading_time.facts(ROOT, project.chapters(ROOT))["run_seconds_date"] == reading["machine"]["date"]


def test_the_stated_times_are_computed_not_typed():
    """The landing page and the instructors page state the rates and the times through
    substitutions the build computes (booktools.reading_time facts), never typed numbers."""
    facts = reading_time.facts(ROOT, project.chapters(ROOT))
    minutes = reading_time.chapter_minutes(ROOT, project.chapters(ROOT))
    assert facts["chapter_minutes_range"] == f"{min(minutes.values())} to {max(minutes.values())} minutes"
    assert int(facts["book_hours"]) == round(sum(minutes.values()) / 60)
    index = (ROOT / "book" / "index.md").read_text()
    instructors = (ROOT / "book" / "instructors.md").read_text()
    assert "{{ chapter_minutes_range }}" in index and "{{ book_hours }}" in index
    for name in ("words_per_minute", "seconds_per_code_line", "book_hours", "chapter_minutes_range"):
        assert "{{ " + name + " }}" in instructors
    assert "half an hour" not in index + instructors and "90 minutes" not in instructors


@pytest.mark.book
def test_built_instructors_page_lists_every_chapter_with_its_count():
    html = BeautifulSoup((ROOT / "_build/html/book/instructors.html").read_text(), "html.parser")
    table = html.select_one("table.reading-times")
    assert table is not None, "the reading-times table is missing from the instructors page"
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    chapters = project.chapters(ROOT)
    assert len(rows) == len(chapters)
    for row, name in zip(rows, chapters, strict=True):
        counted = reading_time.count_file(ROOT / f"{name}.md", name, ROOT)
        expected = [
            f"{counted.words:,}",
            str(counted.code_lines),
            f"{counted.run_seconds:.0f}",
            str(counted.minutes),
        ]
        assert row[1:] == expected, name


@pytest.mark.book
def test_the_landing_page_states_the_computed_times():
    text = " ".join(
        BeautifulSoup((ROOT / "_build/html/book/index.html").read_text(), "html.parser").get_text().split()
    )
    facts = reading_time.facts(ROOT, project.chapters(ROOT))
    assert f"takes {facts['chapter_minutes_range']}" in text and f"about {facts['book_hours']} hours" in text
