"""Hostile inputs at the readers: never a read outside the source folder, every bad file a reason,
every bound recorded when it bites (issue 15)."""
from pathlib import Path

import pytest

from hostile import REFUSED, near_identical, single_line, write
from ingest import Document, IngestError, read_sources
from ingest.layout import PARAGRAPH_MAX_CHARS, paragraphs
from ingest.limits import Limits, LimitsError, head


def _read(*paths, **options):
    out = list(read_sources(list(paths), **options))
    return [r for r in out if isinstance(r, Document)], [r for r in out if isinstance(r, IngestError)]


@pytest.fixture
def hostile(tmp_path) -> Path:
    return write(tmp_path / "inbox", tmp_path / "elsewhere")


def test_every_hostile_file_is_a_document_or_a_reason(hostile):
    docs, errors = _read(hostile)
    reasons = {Path(e.origin).name: e.reason for e in errors}
    for name, reason in REFUSED.items():
        assert reasons.get(name) == reason, (name, reasons)
    assert not any("SECRET-OUTSIDE-LINE" in d.text for d in docs)
    read = {Path(d.origin.split(":")[0]).name for d in docs}
    assert {"good_port.txt", "injection.txt", "utf16.txt", "long_line.txt", "near_identical.txt",
            "'; DROP TABLE documents; --.txt"} <= read
    everything = {p.name for p in hostile.iterdir()} - {"loop"}
    assert everything <= read | {n.split(":")[0] for n in reasons}  # nothing silently left out


def test_a_symlink_out_of_the_folder_says_where_it_points(hostile, tmp_path):
    _, errors = _read(hostile)
    (link,) = [e for e in errors if e.origin.endswith("passwd_link.txt")]
    assert link.reason == "unsafe"
    assert str(tmp_path / "elsewhere" / "passwd") in link.detail and "--follow-symlinks" in link.detail


def test_a_link_to_the_systems_password_file_is_never_read(tmp_path):
    system = Path("/etc/passwd")
    if not system.exists():
        pytest.skip("no /etc/passwd on this machine")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "users.txt").symlink_to(system)
    (inbox / "news.txt").write_text("The port of Kaldera reopened on Monday, officials said.")
    docs, errors = _read(inbox)
    assert [Path(d.origin).name for d in docs] == ["news.txt"]
    assert [(Path(e.origin).name, e.reason) for e in errors] == [("users.txt", "unsafe")]


def test_links_inside_the_folder_are_read_once_and_loops_end(hostile):
    (hostile / "again.txt").symlink_to(hostile / "good_port.txt")
    docs, errors = _read(hostile)
    ports = [d for d in docs if "reopened on Monday after a three-day closure" in d.text]
    assert len(ports) == 1  # the link and the loop back into the folder read nothing twice
    assert not [e for e in errors if e.reason == "duplicate" and "good_port" in e.detail]


def test_follow_symlinks_reads_outside_when_asked(hostile):
    docs, errors = _read(hostile, follow_symlinks=True)
    assert any("SECRET-OUTSIDE-LINE" in d.text for d in docs)
    assert not [e for e in errors if e.reason == "unsafe"]


def test_a_broken_link_is_a_reason(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    _, errors = _read(tmp_path)
    assert [(Path(e.origin).name, e.reason) for e in errors] == [("gone.txt", "unreadable")]


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes("Ministers met in Velna on Friday.".encode("utf-16"))
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe" + "Cheap".encode("utf-16-le")[:-1])
    docs, errors = _read(tmp_path)
    assert [d.text for d in docs] == ["Ministers met in Velna on Friday."]
    assert [e.reason for e in errors] == ["encoding"]


def test_a_file_over_the_size_bound_is_not_read(tmp_path):
    (tmp_path / "big.txt").write_text("x " * 600)
    (tmp_path / "small.txt").write_text("The port reopened on Monday.")
    docs, errors = _read(tmp_path, max_file_bytes=1000)
    assert [Path(d.origin).name for d in docs] == ["small.txt"]
    assert errors[0].reason == "too_large" and "CLAIMFLOW_MAX_FILE_BYTES" in errors[0].detail


def test_a_long_line_is_cut_into_paragraphs_at_sentence_ends():
    text = "Title of the page\n\n" + single_line(30_000)
    pieces = paragraphs(text)
    assert all(len(p.text) <= PARAGRAPH_MAX_CHARS for p in pieces)
    assert all(text[p.start:p.end] == p.text for p in pieces)
    assert all(p.text.endswith(".") for p in pieces[1:-1])
    assert sum(len(p.text) for p in pieces[1:]) >= 30_000 - len(pieces)  # nothing lost but the spaces between


def test_head_cuts_at_a_paragraph_break():
    text = near_identical(50)
    cut = head(text, 1000)
    assert len(cut) <= 1000 and text.startswith(cut) and text[len(cut):].startswith("\n\n")
    assert head(text, 0) == text and head("short", 1000) == "short"


def test_limits_come_from_the_environment():
    limits = Limits.from_env({"CLAIMFLOW_MAX_DOCUMENT_CHARS": "5_000", "CLAIMFLOW_MAX_JUDGED_PAIRS": "0"})
    assert limits.max_document_chars == 5000 and limits.max_judged_pairs == 0
    assert limits.max_sentences == Limits().max_sentences
    with pytest.raises(LimitsError, match="CLAIMFLOW_MAX_SENTENCES"):
        Limits.from_env({"CLAIMFLOW_MAX_SENTENCES": "lots"})


def test_a_feed_cannot_pull_in_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OUTSIDE-LINE")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "feed.xml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><title>Port reopens</title><description>&x; The port reopened.</description>"
        "</item></channel></rss>")
    docs, errors = _read(inbox)
    assert not any("SECRET" in d.text for d in docs)
    assert docs or errors
