"""Reading sources: files (.txt, .md, .html, .jsonl, .xml/.rss/.atom) and folders of them.

Every input yields either a Document or an IngestError with the reason; nothing is dropped silently."""
from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.layout import read_layout
from ingest.limits import env_name
from ingest.models import Document, IngestError, content_hash

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES

_UKRAINIAN = set("іїєґІЇЄҐ")
_EN_WORDS = {"the", "and", "of", "to", "in", "is", "that", "was", "for", "on", "said", "with"}


def detect_language(text: str) -> str | None:
    """A coarse language guess, good enough to route text: en, uk, ru, or None when unsure."""
    sample = text[:5000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    if cyrillic > 0.5:
        return "uk" if any(c in _UKRAINIAN for c in sample) else "ru"
    words = re.findall(r"[a-z]+", sample.lower())
    if words and sum(w in _EN_WORDS for w in words) / len(words) > 0.08:
        return "en"
    return None


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class JsonlRecord(BaseModel):
    """One line of a JSONL corpus. Only ``text`` is required."""

    model_config = ConfigDict(extra="allow")
    text: str = Field(min_length=1)
    id: str | int | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: datetime | date | None = None
    language: str | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _decode(path: Path, data: bytes) -> str | IngestError:
    if not data:
        return IngestError(origin=str(path), reason="empty", detail="file is empty")
    text = _decode_bytes(path, data)
    if isinstance(text, str) and not text.strip():
        return IngestError(origin=str(path), reason="empty", detail="file holds only whitespace")
    return text


def _decode_bytes(path: Path, data: bytes) -> str | IngestError:
    for bom, codec in _BOMS:  # UTF-16 and UTF-32 text says so in its first bytes
        if data.startswith(bom):
            try:
                return _normalise(data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                return IngestError(origin=str(path), reason="encoding",
                                   detail=f"starts as {codec} but is not valid {codec} at offset {exc.start}")
    if b"\x00" in data[:8192]:
        return IngestError(origin=str(path), reason="binary", detail="file contains NUL bytes: not text")
    try:
        return _normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return IngestError(
            origin=str(path), reason="encoding",
            detail=f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; re-save the file as UTF-8",
        )


def _document(text: str, origin: str, today: date, *, doc_id: str | None = None, source: str | None = None,
              url: str | None = None, title: str | None = None, published_at: datetime | None = None,
              language: str | None = None) -> Document:
    layout = read_layout(text, today)
    date_origin = None
    stamp = layout.reported_at
    midnight = datetime.combine(stamp.date(), datetime.min.time()) if stamp is not None else None
    if stamp is not None and published_at in (None, midnight):  # the text gives the time of day as well
        published_at, date_origin = stamp, ("metadata" if published_at is not None else "text")
    elif published_at is not None:
        date_origin = "metadata"
    elif layout.published is not None:
        published_at = datetime.combine(layout.published, datetime.min.time())
        date_origin = "text_year_inferred" if layout.year_inferred else "text"
    digest = content_hash(text)
    return Document(
        doc_id=doc_id or digest[:16], text=text, source=source or layout.source, url=url,
        title=title or layout.title, published_at=published_at, date_origin=date_origin,
        language=language or detect_language(text), origin=origin, content_hash=digest,
    )


class _HtmlText(HTMLParser):
    """Visible text of a page: <article> if there is one, else <body>; blocks become paragraphs."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg"}
    BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "br", "tr", "section",
             "article", "figcaption", "pre", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self.lang: str | None = None
        self._stack: list[str] = []
        self._skip = 0
        self._parts: dict[str, list[str]] = {"article": [], "body": []}
        self._in_article = 0

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html" and a.get("lang"):
            self.lang = a["lang"].split("-")[0].lower()
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("itemprop")
            if key and a.get("content"):
                self.meta.setdefault(key.lower(), a["content"].strip())
            return
        if tag in ("br", "img", "hr", "input", "link"):
            if tag == "br":
                self._text("\n")
            return
        self._stack.append(tag)
        if tag in self.SKIP:
            self._skip += 1
        if tag == "article":
            self._in_article += 1
        if tag in self.BLOCK:
            self._text("\n\n")

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if top in self.SKIP:
                self._skip -= 1
            if top == "article":
                self._in_article -= 1
            if top == tag:
                break
        if tag in self.BLOCK:
            self._text("\n\n")

    def handle_data(self, data):
        if "title" in self._stack and "body" not in self._stack:
            self.title += data
            return
        if "h1" in self._stack and not self._skip:
            self.h1 += data
        if not self._skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self._skip:
            return
        if "body" in self._stack or self._in_article or not self._stack:
            self._parts["body"].append(data)
            if self._in_article:
                self._parts["article"].append(data)

    def text(self) -> str:
        raw = "".join(self._parts["article"]) or "".join(self._parts["body"])
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", raw)]
        return "\n\n".join(b for b in blocks if b)


def _parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        return _utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _utc_naive(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None


def read_html(path: Path, raw: str, today: date) -> Document | IngestError:
    parser = _HtmlText()
    parser.feed(raw)
    parser.close()
    text = parser.text()
    if not text.strip():
        return IngestError(origin=str(path), reason="empty", detail="HTML page has no visible text")
    meta = parser.meta
    published = _parse_datetime(
        meta.get("article:published_time") or meta.get("datepublished") or meta.get("date") or meta.get("dc.date")
    )
    title = (meta.get("og:title") or parser.h1 or parser.title).strip() or None
    return _document(
        text, str(path), today, source=meta.get("og:site_name"), url=meta.get("og:url"),
        title=html.unescape(title) if title else None, published_at=published,
        language=parser.lang,
    )


def read_jsonl(path: Path, raw: str, today: date) -> Iterator[Document | IngestError]:
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            record = JsonlRecord.model_validate_json(line)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            yield IngestError(origin=origin, reason="malformed", detail=problems)
            continue
        published = record.published_at
        if isinstance(published, date) and not isinstance(published, datetime):
            published = datetime.combine(published, datetime.min.time())
        yield _document(
            _normalise(record.text), origin, today,
            doc_id=str(record.id) if record.id is not None else None, source=record.source, url=record.url,
            title=record.title, published_at=_utc_naive(published) if published else None,
            language=record.language,
        )


def _xml_text(el: ElementTree.Element | None) -> str:
    if el is None:
        return ""
    raw = "".join(el.itertext()) if len(el) else (el.text or "")
    if "<" in raw:
        parser = _HtmlText()
        parser.feed(f"<body>{raw}</body>")
        return parser.text()
    return " ".join(html.unescape(raw).split())


def read_feed(path: Path, raw: str, today: date) -> Iterator[Document | IngestError]:
    try:
        root = ElementTree.fromstring(raw.encode("utf-8"))
    except ElementTree.ParseError as exc:
        yield IngestError(origin=str(path), reason="malformed", detail=f"not well-formed XML: {exc}")
        return
    ns = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}
    channel_title = _xml_text(root.find("channel/title")) or _xml_text(root.find("atom:title", ns)) or None
    items = root.findall("channel/item") or root.findall("atom:entry", ns)
    if not items:
        yield IngestError(origin=str(path), reason="malformed", detail="no RSS <item> or Atom <entry> found")
        return
    for number, item in enumerate(items, start=1):
        origin = f"{path}#item{number}"
        body = (_xml_text(item.find("content:encoded", ns)) or _xml_text(item.find("description"))
                or _xml_text(item.find("atom:content", ns)) or _xml_text(item.find("atom:summary", ns)))
        title = _xml_text(item.find("title")) or _xml_text(item.find("atom:title", ns)) or None
        if title and not body.startswith(title):
            body = f"{title}\n\n{body}".strip()  # a headline is a sentence that may carry a claim
        if not body.strip():
            yield IngestError(origin=origin, reason="empty", detail="feed item has neither a title nor text")
            continue
        link = item.find("link")
        url = (link.text if link is not None and link.text else None)
        atom_link = item.find("atom:link", ns)
        if url is None and atom_link is not None:
            url = atom_link.get("href")
        guid = _xml_text(item.find("guid")) or _xml_text(item.find("atom:id", ns)) or None
        yield _document(
            body, origin, today, doc_id=guid, source=channel_title, url=url,
            title=title, published_at=_parse_datetime(_xml_text(item.find("pubDate")) or _xml_text(item.find("atom:published", ns))
                                         or _xml_text(item.find("atom:updated", ns))),
        )


def read_file(path: Path, today: date, max_bytes: int = 0) -> Iterator[Document | IngestError]:
    """The documents of one file, or why there are none. `max_bytes`: a larger file is not read (0: any size)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield IngestError(origin=str(path), reason="unsupported",
                          detail=f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUPPORTED)}")
        return
    try:
        size = path.stat().st_size
        if max_bytes and size > max_bytes:
            yield IngestError(origin=str(path), reason="too_large",
                              detail=f"{size:,} bytes, over the limit of {max_bytes:,} ({env_name('max_file_bytes')}): "
                                     "not read; split the file or raise the limit")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield IngestError(origin=str(path), reason="unreadable", detail=str(exc))
        return
    raw = _decode(path, data)
    if isinstance(raw, IngestError):
        yield raw
        return
    if suffix in JSONL_SUFFIXES:
        records = list(read_jsonl(path, raw, today))
        yield from records or [IngestError(origin=str(path), reason="empty", detail="JSONL file has no records")]
    elif suffix in HTML_SUFFIXES:
        yield read_html(path, raw, today)
    elif suffix in FEED_SUFFIXES:
        yield from read_feed(path, raw, today)
    else:
        yield _document(raw, str(path), today)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def iter_files(paths: Iterable[str | Path], skip: Collection[Path] = (),
               follow_symlinks: bool = False) -> Iterator[Path | IngestError]:
    """The files of the given files and folders (hidden ones and `skip`, absolute paths, left out).

    A folder is walked without leaving it: a symlink (to a file or a folder) whose target lies
    outside the folder is not followed but reported as `unsafe`, unless `follow_symlinks`; a target
    inside it is read once, under its first path (no loops, no file twice). A source given by name
    is read even if it is a symlink: the user named it."""
    skip = {Path(p).absolute() for p in skip}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, skip, follow_symlinks)
        elif path.is_file():
            yield path
        else:
            yield IngestError(origin=str(path), reason="unreadable", detail="no such file or folder")


def _walk(top: Path, skip: set[Path], follow_symlinks: bool) -> Iterator[Path | IngestError]:
    root = top.resolve()
    seen: set[Path] = set()  # real paths already read or walked

    def visit(folder: Path) -> Iterator[Path | IngestError]:
        try:
            children = sorted(folder.iterdir())
        except OSError as exc:
            yield IngestError(origin=str(folder), reason="unreadable", detail=f"cannot list the folder: {exc}")
            return
        for child in children:
            if child.name.startswith(".") or child.absolute() in skip:
                continue
            try:
                real = child.resolve(strict=True)
            except (OSError, RuntimeError) as exc:  # a dangling link, a link loop
                yield IngestError(origin=str(child), reason="unreadable", detail=f"broken link: {exc}")
                continue
            if child.is_symlink() and not follow_symlinks and not _inside(real, root):
                yield IngestError(origin=str(child), reason="unsafe",
                                  detail=f"symlink to {real}, outside the source folder {root}: not followed "
                                         "(claimflow never reads outside the sources it is given; "
                                         "pass --follow-symlinks to read it)")
                continue
            if real in seen:
                continue
            seen.add(real)
            if child.is_dir():
                yield from visit(child)
            elif child.is_file():
                yield child
            else:
                yield IngestError(origin=str(child), reason="unsupported",
                                  detail="not a regular file (a device, socket or pipe): not read")

    seen.add(root)
    yield from visit(top)


def read_sources(paths: Iterable[str | Path], today: date | None = None, skip: Collection[Path] = (),
                 follow_symlinks: bool = False, max_file_bytes: int = 0) -> Iterator[Document | IngestError]:
    """Every document (or error) in the given files and folders, with exact duplicates reported.
    `skip`: files inside the folders not to read (the database's own files); `follow_symlinks`:
    read links that point outside the folders too (see `iter_files`); `max_file_bytes`: files larger
    than this are not read (0: any size)."""
    today = today or date.today()
    seen: dict[str, str] = {}
    ids: dict[str, str] = {}
    for item in iter_files(paths, skip, follow_symlinks):
        if isinstance(item, IngestError):
            yield item
            continue
        for result in read_file(item, today, max_file_bytes):
            if isinstance(result, Document):
                if result.content_hash in seen:
                    yield IngestError(origin=result.origin, reason="duplicate",
                                      detail=f"same text as {seen[result.content_hash]}; kept once")
                    continue
                if result.doc_id in ids:
                    yield IngestError(origin=result.origin, reason="duplicate",
                                      detail=f"id {result.doc_id!r} is already used by {ids[result.doc_id]} "
                                             "with a different text; the first one is kept")
                    continue
                seen[result.content_hash] = f"document {result.doc_id} ({result.origin})"
                ids[result.doc_id] = result.origin
            yield result
