"""Property-based tests of the readers (hypothesis): random bytes, JSONL lines, HTML and feed XML
each become documents or recorded reasons, never an exception out of the run, and nothing is lost
silently (every file yields at least one of the two).

CI runs a bounded, derandomised number of examples; `make fuzz` runs many more, at random
(HYPOTHESIS_PROFILE=fuzz)."""
from __future__ import annotations

import itertools
import json
import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import Document, IngestError, read_sources
from ingest.readers import SUPPORTED

settings.register_profile("ci", max_examples=40, derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TODAY = date(2026, 3, 5)
SUFFIXES = sorted(SUPPORTED) + [".bin", ""]
_FOLDERS = itertools.count()  # hypothesis runs many examples in one test's tmp_path


def _read_one(tmp_path, name: str, data: bytes) -> list[Document | IngestError]:
    folder = tmp_path / f"example{next(_FOLDERS)}"
    folder.mkdir()
    (folder / name).write_bytes(data)
    out = list(read_sources([folder], TODAY))
    assert out, "a file yielded neither a document nor a reason"
    for item in out:
        assert isinstance(item, (Document, IngestError))
        if isinstance(item, Document):
            assert item.text.strip() and item.origin.startswith(str(folder))
    return out


@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_file_type(tmp_path, data, suffix):
    _read_one(tmp_path, f"input{suffix}", data)


_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                       max_leaves=8)
_RECORD = st.fixed_dictionaries({}, optional={
    "text": st.text(max_size=200) | _VALUES, "id": st.text(max_size=10) | st.integers() | _VALUES,
    "source": st.text(max_size=20) | _VALUES, "url": st.text(max_size=20), "title": st.text(max_size=30) | _VALUES,
    "published_at": st.sampled_from(["2026-03-05", "2026-03-05T10:00:00Z", "yesterday", "", "2026-13-45"]) | _VALUES,
    "language": st.text(max_size=5) | _VALUES})


@given(lines=st.lists(_RECORD.map(json.dumps) | st.text(max_size=80), min_size=1, max_size=12))
def test_random_jsonl_lines(tmp_path, lines):
    out = _read_one(tmp_path, "corpus.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"))
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")  # the readers' line ends
    numbered = [n for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    origins = {item.origin.rsplit(":", 1)[-1] for item in out}
    assert {str(n) for n in numbered} <= origins or any(e.reason in ("encoding", "binary") for e in out
                                                        if isinstance(e, IngestError))


_TAGS = ["p", "div", "article", "script", "style", "h1", "title", "meta", "br", "li", "body", "html", "head",
         "nav", "svg", "template", "a", "span"]
_ATTRS = st.sampled_from(['', ' property="og:title" content="T"', ' name="date" content="2026-03-05"',
                          ' lang="en-GB"', ' content=">"', ' property="article:published_time" content="bad"'])
_HTML_PIECE = st.one_of(
    st.text(max_size=60),
    st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(_TAGS), _ATTRS),
    st.builds(lambda t: f"</{t}>", st.sampled_from(_TAGS)),
    st.sampled_from(["&amp;", "&#x27;", "&bogus;", "<!--", "-->", "<![CDATA[", "]]>", "<", ">", "&#99999999;"]),
)


@given(pieces=st.lists(_HTML_PIECE, max_size=40))
def test_random_html(tmp_path, pieces):
    _read_one(tmp_path, "page.html", "".join(pieces).encode("utf-8", "surrogatepass"))


_FEED_PIECE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<rss>", "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<title>", "</title>",
                     "<description>", "</description>", "<pubDate>", "</pubDate>", "<guid>", "</guid>",
                     '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>",
                     "<content>", "</content>", '<link href="x"/>', "<![CDATA[<p>x</p>]]>", "&lt;p&gt;",
                     '<!DOCTYPE x [<!ENTITY e "boom">]>', "&e;", '<?xml version="1.0"?>']),
)


@given(pieces=st.lists(_FEED_PIECE, max_size=40))
def test_random_feed_xml(tmp_path, pieces):
    _read_one(tmp_path, "feed.xml", "".join(pieces).encode("utf-8", "surrogatepass"))
