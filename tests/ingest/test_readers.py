import json
from datetime import date, datetime

import pytest

from ingest import Document, IngestError, read_sources
from ingest.dates import absolute_dates, find_dates, infer_year, resolve
from ingest.layout import read_layout


def _split(results):
    docs = [r for r in results if isinstance(r, Document)]
    errors = [r for r in results if isinstance(r, IngestError)]
    return docs, errors


def test_jsonl_fields_and_bad_lines_are_recorded(tmp_path):
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "The port reopened on Thursday.", "source": "Harbour Post",
                    "url": "https://example.org/a1", "title": "Port", "published_at": "2026-03-05T14:00:00+02:00",
                    "language": "en"}),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": "No id here, so the id is a content hash.", "published_at": "2026-03-05"}),
        json.dumps({"text": "Bad date.", "published_at": "yesterday-ish"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    docs, errors = _split(list(read_sources([path])))
    assert [d.doc_id for d in docs][0] == "a1"
    first = docs[0]
    assert (first.source, first.url, first.title, first.language) == (
        "Harbour Post", "https://example.org/a1", "Port", "en")
    assert first.published_at.isoformat() == "2026-03-05T12:00:00"  # normalised to UTC
    assert first.date_origin == "metadata"
    assert len(docs[1].doc_id) == 16 and docs[1].published_at.date() == date(2026, 3, 5)
    assert sorted(e.origin.rsplit(":", 1)[1] for e in errors) == ["2", "3", "4", "6"]
    assert all(e.reason == "malformed" for e in errors)
    assert any("published_at" in e.detail for e in errors)


def test_unreadable_files_are_errors_not_crashes(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 news, said the mayor.".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / "good.txt").write_text("The bridge collapsed on March 3, officials said.\n")
    docs, errors = _split(list(read_sources([tmp_path, tmp_path / "missing.txt"])))
    assert [d.origin.split("/")[-1] for d in docs] == ["good.txt"]
    reasons = {e.origin.split("/")[-1]: e.reason for e in errors}
    assert reasons == {"binary.txt": "binary", "latin1.txt": "encoding", "empty.md": "empty",
                       "photo.png": "unsupported", "missing.txt": "unreadable"}
    assert "UTF-8" in next(e.detail for e in errors if e.reason == "encoding")


def test_ids_are_stable_and_exact_duplicates_reported(tmp_path):
    text = "The central bank raised its key rate to 6 percent on Wednesday.\n"
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    docs, errors = _split(list(read_sources([tmp_path])))
    again, _ = _split(list(read_sources([tmp_path / "a.txt"])))
    assert len(docs) == 1 and docs[0].doc_id == again[0].doc_id
    assert [e.reason for e in errors] == ["duplicate"]


def test_html_metadata_and_visible_text(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        '<html lang="en"><head><title>T</title><meta property="og:site_name" content="Coastal Ledger">'
        '<meta property="article:published_time" content="2026-03-04T18:00:00Z"><script>var x=1;</script></head>'
        '<body><nav>Home | World</nav><article><h1>Rates &amp; jobs</h1><p>The bank raised rates.</p>'
        '<p>&quot;It was needed,&quot; she said.</p></article><footer>Copyright</footer></body></html>')
    (doc,) = list(read_sources([page]))
    assert doc.source == "Coastal Ledger" and doc.title == "Rates & jobs"
    assert doc.published_at.isoformat() == "2026-03-04T18:00:00"
    assert "The bank raised rates." in doc.text and '"It was needed," she said.' in doc.text
    assert "Home" not in doc.text and "Copyright" not in doc.text and "var x" not in doc.text


def test_rss_items_become_documents(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<rss><channel><title>Northern Wire</title>"
        "<item><title>One</title><link>https://example.org/1</link><guid>n-1</guid>"
        "<pubDate>Thu, 05 Mar 2026 10:00:00 GMT</pubDate><description>The port reopened on Thursday.</description></item>"
        "<item><title>Kaldera port reopens after storm repairs</title><guid>n-2</guid></item>"
        "<item><link>https://example.org/3</link></item></channel></rss>")
    docs, errors = _split(list(read_sources([feed])))
    assert [(d.doc_id, d.source, d.url) for d in docs] == [("n-1", "Northern Wire", "https://example.org/1"),
                                                            ("n-2", "Northern Wire", None)]
    assert docs[0].published_at.isoformat() == "2026-03-05T10:00:00"
    assert docs[0].text == "One\n\nThe port reopened on Thursday."  # the headline is part of the text
    assert docs[1].text == "Kaldera port reopens after storm repairs"  # a title-only item is a document
    assert [(e.origin.split("#")[-1], e.reason) for e in errors] == [("item3", "empty")]


def test_page_dump_layout():
    text = ("Home  World  EN\n\nTuesday, 3 March 2026\npolitics\n\nBudget passes after long night\n\n"
            "PORT ALDER, March 3 (Harbour Post) - The parliament approved the budget on Monday.\n\n"
            "\"It is a good day,\" the speaker said.\n\nSource: Harbour Post\n")
    layout = read_layout(text, date(2026, 11, 1))
    assert layout.title == "Budget passes after long night"
    assert layout.published == date(2026, 3, 3) and not layout.year_inferred
    assert layout.source == "Harbour Post"
    assert [p.text[:10] for p in layout.prose] == ["The parlia", "\"It is a g"]  # the dateline is metadata
    assert all(text[p.start:p.end] == p.text for p in layout.prose)
    assert layout.headline.text == "Budget passes after long night"


# Shapes of real feed items (the text is made up): a site's title suffix and a timestamp that repeats
# the headline, a sign-off, a date glued to the last sentence, a description with no final stop.
STAMPED = ("Port talks: Kaldera port reopens after repairs, - harbour office (05.03.26 09:41) "
           "« Economy | Harbour.NET\n\n"
           "05.03.26 09:41 - Port talks: Kaldera port reopens after repairs, - harbour office. "
           "The first ships entered the port on Thursday morning. View news.")


def test_a_timestamp_and_the_repeated_headline_are_not_prose():
    layout = read_layout(STAMPED, date(2026, 11, 1))
    assert layout.headline.text == "Port talks: Kaldera port reopens after repairs, - harbour office"
    assert [p.text for p in layout.prose] == ["The first ships entered the port on Thursday morning. View news."]
    assert layout.reported_at == datetime(2026, 3, 5, 9, 41)
    assert all(STAMPED[p.start:p.end] == p.text for p in layout.prose + [layout.headline])


@pytest.mark.parametrize("text,prose", [
    ("Kaldera port reopens\n\nThe port reopened on Thursday after repairs. \u2014 Harbour Post.",
     "The port reopened on Thursday after repairs."),
    ("Kaldera port reopens\n\nThe port reopened after repairs, the harbour office said.March 5, 2026",
     "The port reopened after repairs, the harbour office said."),
    ("Kaldera port reopens after repairs\n\nIt is noted that the port reopened after repairs to two of its piers",
     "It is noted that the port reopened after repairs to two of its piers"),
])
def test_feed_descriptions_are_prose_without_their_trailers(text, prose):
    layout = read_layout(text, date(2026, 11, 1))
    assert [p.text for p in layout.prose] == [prose]


def test_a_title_only_item_is_a_headline():
    layout = read_layout("Kaldera port reopens after storm repairs, harbour office says", date(2026, 11, 1))
    assert layout.prose == [] and layout.headline.text.startswith("Kaldera port reopens")


def test_the_time_of_report_written_in_the_text_completes_the_date(tmp_path):
    corpus = tmp_path / "feed.jsonl"
    corpus.write_text(json.dumps({"id": "s-1", "published_at": "2026-03-05", "text": STAMPED}) + "\n")
    doc, = read_sources([corpus])
    assert doc.published_at == datetime(2026, 3, 5, 9, 41)


def test_seed_pages(seeds):
    docs, errors = _split(list(read_sources([seeds])))
    assert not errors and len(docs) == 2
    by_name = {d.origin.split("/")[-1][:3]: d for d in docs}
    nato = by_name["000"]
    assert nato.title.startswith("Russian threat: NATO Secretary-General")
    assert (nato.published_at.month, nato.published_at.day) == (1, 22)
    assert nato.published_at.date().weekday() == 2  # "Wednesday, 22 January": year chosen to match
    assert nato.date_origin == "text_year_inferred"
    tass = by_name["003"]
    assert tass.source == "TASS"
    assert tass.published_at.date() == date(2022, 1, 17)  # after "December 17, 2021" in the text
    prose = read_layout(nato.text, date.today()).prose
    assert not any(p.text.startswith(("RU", "Wednesday", "politics", "Russian threat")) for p in prose)


def test_relative_dates_resolve_against_the_document_date():
    anchor = date(2025, 1, 22)  # a Wednesday
    got = {m.text: resolve(m, anchor) for m in find_dates(
        "yesterday, on Sunday, this week, the 26th of January, December 17, 2021, 2026-03-03")}
    assert got == {"yesterday": date(2025, 1, 21), "on Sunday": date(2025, 1, 19),
                   "this week": date(2025, 1, 20), "the 26th of January": date(2025, 1, 26),
                   "December 17, 2021": date(2021, 12, 17), "2026-03-03": date(2026, 3, 3)}
    assert infer_year(1, 17, None, [date(2021, 12, 17)], date(2026, 11, 24)) == 2022


def test_the_documents_own_weekday_is_that_day_and_last_weekday_the_week_before():
    anchor = date(2026, 3, 4)  # a Wednesday: "the bank lifted its rate on Wednesday" means that day
    got = {m.text: resolve(m, anchor) for m in find_dates("on Wednesday, last Wednesday, on Thursday")}
    assert got == {"on Wednesday": date(2026, 3, 4), "last Wednesday": date(2026, 2, 25),
                   "on Thursday": date(2026, 2, 26)}


def test_absolute_dates_rewrites_a_passage_as_claim_statements_are_written():
    text = "On Wednesday the bank lifted its rate; the bridge fell on March 2, a week after 2026-02-23."
    assert absolute_dates(text, date(2026, 3, 4)) == (
        "On 4 March 2026 the bank lifted its rate; the bridge fell on 2 March 2026, a week after 2026-02-23.")
    assert absolute_dates(text, None) == text  # no document date: nothing to read the weekday against


def test_a_reused_id_with_other_text_is_reported_not_crashing(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": "The port reopened on Thursday."}) + "\n"
                    + json.dumps({"id": "a1", "text": "The port stayed closed on Thursday."}) + "\n")
    docs, errors = _split(list(read_sources([path])))
    assert [d.text for d in docs] == ["The port reopened on Thursday."]
    assert [e.reason for e in errors] == ["duplicate"] and "a1" in errors[0].detail


def test_original_offsets_map_a_rewritten_stretch_back_to_the_words_as_written():
    from ingest.dates import original_offsets

    text = "On Wednesday the bank met; last week it waited, and on March 2 it spoke."
    anchor = date(2026, 3, 4)
    read = absolute_dates(text, anchor)
    for piece, written in [("the bank met", "the bank met"), ("On 4 March 2026 the bank", "On Wednesday the bank"),
                           ("it waited", "it waited"), ("the week of 23 February 2026 it", "last week it"),
                           ("on 2 March 2026 it spoke.", "on March 2 it spoke.")]:
        at = read.index(piece)
        start, end = original_offsets(text, anchor, at, at + len(piece))
        assert text[start:end] == written, (piece, text[start:end])
    assert original_offsets(text, None, 3, 7) == (3, 7)


def test_today_inside_a_name_is_no_date():
    # the channel "Russia Today" must not become "Russia on 9 February 2022"
    assert absolute_dates("The term Russia Today has become a byword.", date(2022, 2, 9)) == \
        "The term Russia Today has become a byword."
    assert [m.text for m in find_dates("Today, the troops left. Reuters. Yesterday, more came")] == ["Today", "Yesterday"]
