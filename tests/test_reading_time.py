"""Reading times on the instructors page: counted from the sources, and the page shows the count."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]

import colab  # noqa: E402
import reading_time  # noqa: E402

SOURCE = """---
jupytext: {}
---
(ch-x)=
# A title here

Some prose with a {glue:text}`acc:.1%` value and {ref}`a link <ch-y>`.

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
    # "A title here" + "Some prose with a acc value and a link" + "Predict it."
    assert counted.words == 3 + 9 + 2
    assert counted.code_lines == 2  # the hidden cell and the tag line are not shown
    assert counted.minutes == 1


def test_minutes_add_prose_and_code():
    counted = reading_time.Count(words=2 * reading_time.WORDS_PER_MINUTE, code_lines=60)
    assert counted.minutes == 2 + 60 * reading_time.SECONDS_PER_CODE_LINE // 60


def test_instructors_page_states_the_rates_the_code_uses():
    text = (ROOT / "book" / "instructors.md").read_text()
    assert f"{reading_time.WORDS_PER_MINUTE} words a" in text
    assert {10: "ten seconds"}[reading_time.SECONDS_PER_CODE_LINE] in text


@pytest.mark.book
def test_built_instructors_page_lists_every_chapter_with_its_count():
    html = BeautifulSoup((ROOT / "_build/html/book/instructors.html").read_text(), "html.parser")
    table = html.select_one("table.reading-times")
    assert table is not None, "the reading-times table is missing from the instructors page"
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    chapters = colab.chapters(ROOT)
    assert len(rows) == len(chapters)
    for row, name in zip(rows, chapters, strict=True):
        counted = reading_time.count_file(ROOT / f"{name}.md")
        assert row[1:] == [f"{counted.words:,}", str(counted.code_lines), str(counted.minutes)], name
