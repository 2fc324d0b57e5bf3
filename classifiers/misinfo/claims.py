"""The claims register: known false or misleading claims and official corrections, and matching.

Entries come from CSV or YAML files (``classifiers.claims_register`` in the settings; the shipped
example register is the demo's only, never a fallback), from fact-checkers' ClaimReview pages
(``claimreview.py``) and from the store's claims register (reviewers' verdicts, the review desk,
imports), where every claim is a versioned row (``Store.save_claim``) so every instance of the
monitor sees them and concurrent edits never lose one another.

Verdicts follow the national fake-news centre's three labels: ``tin giả`` (fabricated), ``tin sai
sự thật`` (untrue or misleading) and ``tin xác thực`` (verified true). A match with a verified-true
entry lowers a document's score instead of raising it.

Matching works across paraphrases and diacritic-free spellings: a document's sentences (and pairs
of sentences) are compared with every entry by cosine similarity of folded character 3-5 grams
(TF-IDF), blended with the share of the entry's content words the passage contains.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from mediawatch.errors import BadInputError
from mediawatch.store.desk_base import CLAIM_VERDICTS, ClaimRecord, ClaimVersionConflict, claim_id
from mediawatch.text import fold

from .cues import sentences

log = logging.getLogger("mediawatch.misinfo")

VERDICTS = CLAIM_VERDICTS  # ("tin giả", "tin sai sự thật", "tin xác thực")
FALSE_VERDICTS = ("tin giả", "tin sai sự thật")
_VERDICT_ALIASES = {
    "tin gia": "tin giả", "fake": "tin giả", "false": "tin giả",
    "tin sai su that": "tin sai sự thật", "misleading": "tin sai sự thật", "untrue": "tin sai sự thật",
    "tin xac thuc": "tin xác thực", "true": "tin xác thực", "verified": "tin xác thực",
}
# Reviewer verdicts (Document review statuses) -> register verdicts.
REVIEW_TO_VERDICT = {"false": "tin giả", "misleading": "tin sai sự thật", "true": "tin xác thực"}
EXAMPLE_REGISTER = "example_claims.yaml"
STATE_NAMESPACE = "claims"  # the old home of reviewers' claims; stores move them to rows on first use
STATE_INDEX_KEY = "_index"
# Read-modify-write attempts when two writers save the same claim at once.
SAVE_ATTEMPTS = 5
_WORD = re.compile(r"[0-9a-z]+")
# Share of an entry's content words a document must contain to be compared with it at all.
MIN_SHARED = 0.3
# Function words that say nothing about which claim a text makes.
_STOP = frozenset(("va la cua co cho cac nhung mot duoc da dang se bi tai o voi tu den trong ngoai "
                   "nay do thi ma ra vao len xuong khi neu nhu rat qua nhieu it cung con van lai "
                   "nguoi ngay hom toi anh chi em ban ho").split())


@dataclass(slots=True)
class Claim:
    id: str
    text: str
    verdict: str
    correction: str = ""
    source_url: str = ""
    date: str = ""  # ISO date of the correction
    topic: str = ""
    paraphrases: list[str] = field(default_factory=list)
    example: bool = False  # written for the demo, not a real correction
    origin: str = "import"  # import | review | claimreview
    publisher: str = ""  # who judged it: the fact-checker or authority (ClaimReview author)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise_verdict(value: str, *, where: str) -> str:
    v = (value or "").strip()
    if v in VERDICTS:
        return v
    alias = _VERDICT_ALIASES.get(fold(v))
    if alias:
        return alias
    raise BadInputError(f"{where}: verdict {value!r} is not one of {', '.join(VERDICTS)}",
                        data=value, fix="use tin giả, tin sai sự thật or tin xác thực (or fake/misleading/true)")


def _claim_from_row(row: dict[str, Any], where: str) -> Claim:
    text = str(row.get("text") or row.get("claim") or "").strip()
    if not text:
        raise BadInputError(f"{where}: a claim needs a 'text'", data=row, fix="add the claim's wording")
    paraphrases = row.get("paraphrases") or []
    if isinstance(paraphrases, str):
        paraphrases = [p.strip() for p in paraphrases.split("|") if p.strip()]
    raw_date = row.get("date") or ""
    if isinstance(raw_date, date):
        raw_date = raw_date.isoformat()
    example = row.get("example", False)
    if isinstance(example, str):
        example = example.strip().lower() in ("1", "true", "yes", "x")
    return Claim(id=str(row.get("id") or claim_id(text)), text=text,
                 verdict=normalise_verdict(str(row.get("verdict") or ""), where=where),
                 correction=str(row.get("correction") or ""), source_url=str(row.get("source_url") or row.get("url") or ""),
                 date=str(raw_date), topic=str(row.get("topic") or ""), paraphrases=list(paraphrases),
                 example=bool(example), origin=str(row.get("origin") or "import"),
                 publisher=str(row.get("publisher") or ""))


@dataclass(slots=True)
class RegisterRead:
    """The claims read from one register file, and the rows skipped ("file:line: reason")."""

    claims: list[Claim] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _yaml_entries(content: str, name: str) -> list[tuple[int, Any]]:
    """(line, entry) for each entry of a YAML register: a list, or ``{claims: [...]}``."""
    import yaml

    try:
        data = yaml.safe_load(content)
        root = yaml.compose(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise BadInputError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}",
                            fix="correct the YAML syntax") from exc
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        data = data.get("claims", [])
        root = next((v for k, v in root.value if k.value == "claims"), None)
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise BadInputError(f"{name}:1: expected a list of claims", fix="write '- text: ...' entries")
    return [(node.start_mark.line + 1, entry) for node, entry in zip(root.value, data)]


def _csv_entries(content: str, name: str) -> tuple[list[tuple[int, Any]], list[str]]:
    entries: list[tuple[int, Any]] = []
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(content))
    start = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{name}:{reader.line_num}: unreadable CSV row: {exc}")
            start = reader.line_num + 1
            continue
        if None in row:  # more fields than the header names
            problems.append(f"{name}:{start}: {len(row[None])} field(s) more than the header "
                            f"({', '.join(reader.fieldnames or [])}); quote values that contain commas")
        else:
            entries.append((start, row))
        start = reader.line_num + 1
    return entries, problems


def read_register(content: str, name: str) -> RegisterRead:
    """Claims from CSV (header: text, verdict, correction, source_url, date, topic[, id, paraphrases])
    or YAML (a list of mappings, or ``{claims: [...]}``).

    A malformed row is skipped with ``file:line: reason`` in ``problems`` and the rest are read;
    only a file that cannot be read at all (unknown format, broken YAML syntax) raises.
    """
    lower = name.lower()
    problems: list[str] = []
    if lower.endswith((".yaml", ".yml")):
        entries = _yaml_entries(content, name)
    elif lower.endswith(".csv"):
        entries, problems = _csv_entries(content, name)
    else:
        raise BadInputError(f"{name}: unknown register format", fix="use a .csv, .yaml or .yml file")
    out = RegisterRead(problems=problems)
    for line, entry in entries:
        where = f"{name}:{line}"
        if not isinstance(entry, dict):
            out.problems.append(f"{where}: expected a mapping with 'text' and 'verdict', got {type(entry).__name__}")
            continue
        try:
            out.claims.append(_claim_from_row(entry, where))
        except BadInputError as exc:
            out.problems.append(str(exc))
    out.problems.sort(key=lambda p: _line_of(p))
    return out


def _line_of(problem: str) -> int:
    m = re.match(r"[^:]*:(\d+):", problem)
    return int(m.group(1)) if m else 0


def parse_register(content: str, name: str) -> list[Claim]:
    """The readable claims of a register; malformed rows are logged (``file:line: reason``) and skipped."""
    read = read_register(content, name)
    for problem in read.problems:
        log.warning("claims register: skipped %s", problem)
    return read.claims


def load_register(path: str | Path) -> RegisterRead:
    p = Path(path)
    if not p.is_file():
        raise BadInputError(f"claims register {p} not found",
                            fix="set classifiers.claims_register to an existing CSV or YAML file "
                                "(`mediawatch init` writes an empty one)")
    return read_register(p.read_text(encoding="utf-8"), str(p))


def load_register_file(path: str | Path) -> list[Claim]:
    read = load_register(path)
    for problem in read.problems:
        log.warning("claims register: skipped %s", problem)
    return read.claims


def example_register() -> list[Claim]:
    """The demo's invented Lào Cai claims (``example: true``, example.com links): the demo only."""
    return parse_register(example_register_text(), EXAMPLE_REGISTER)


def example_register_text() -> str:
    """The example register file as shipped, for the demo to write next to its configuration."""
    return resources.files("mediawatch.classifiers.misinfo").joinpath(EXAMPLE_REGISTER).read_text(encoding="utf-8")


# --- the store as the register's home ------------------------------------------------------------

def claim_from_record(record: ClaimRecord) -> Claim:
    return Claim(id=record.id, text=record.text, verdict=record.verdict, correction=record.correction,
                 source_url=record.source_url, date=record.date, topic=record.topic,
                 paraphrases=list(record.paraphrases), example=record.example, origin=record.origin,
                 publisher=record.publisher)


def record_from_claim(claim: Claim, *, publisher: str = "", version: int = 0, note: str = "") -> ClaimRecord:
    return ClaimRecord(id=claim.id, text=claim.text, verdict=claim.verdict, correction=claim.correction,
                       source_url=claim.source_url, date=claim.date, topic=claim.topic, origin=claim.origin,
                       publisher=publisher or claim.publisher, paraphrases=list(claim.paraphrases),
                       example=claim.example,
                       version=version, note=note)


def stored_claims(store) -> list[Claim]:
    """Every claim of the store's register (reviewers', the desk's, imported ones)."""
    return [claim_from_record(r) for r in store.all_claims()]


def save_claim(store, claim: Claim, *, actor: str = "system", note: str = "") -> int:
    """Save ``claim`` as the newest version of its id (an existing entry keeps its publisher
    unless the claim names one).

    Re-reads and retries when another writer saved the same claim meanwhile: both versions stay in
    the claim's history, the later one is current. Returns the version written."""
    for _ in range(SAVE_ATTEMPTS):
        current = store.claim(claim.id)
        record = record_from_claim(claim, publisher=claim.publisher or (current.publisher if current else ""),
                                   version=current.version if current else 0, note=note)
        if current is not None and current.content() == record.content():
            return current.version  # nothing changed: no new version
        try:
            return store.save_claim(record, actor)
        except ClaimVersionConflict:
            continue
    raise ClaimVersionConflict(claim.id, record.version, (store.claim(claim.id) or record).version)


def import_claims(store, claims: Iterable[Claim], *, actor: str = "system", note: str = "") -> int:
    n = 0
    for claim in claims:
        save_claim(store, claim, actor=actor, note=note)
        n += 1
    return n


# --- matching -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ClaimMatch:
    claim: Claim
    similarity: float  # 0..1
    passage: str


def _content_words(folded: str) -> set[str]:
    return {w for w in _WORD.findall(folded) if w not in _STOP and len(w) > 1}


class ClaimMatcher:
    """Nearest register entry for a text; built once per register, rebuilt when it grows."""

    def __init__(self, claims: Iterable[Claim]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.claims = [c for c in claims]
        self._rows: list[int] = []  # row -> claim index (a claim has its text and paraphrases)
        texts: list[str] = []
        for i, claim in enumerate(self.claims):
            for variant in [claim.text, *claim.paraphrases]:
                texts.append(fold(variant))
                self._rows.append(i)
        self._words = [_content_words(t) for t in texts]
        # Inverted index of content words: a document sharing too few words with every entry cannot
        # reach the suggest threshold, and skips the (slower) character n-gram comparison.
        self._postings: dict[str, list[int]] = {}
        for row, words in enumerate(self._words):
            for word in words:
                self._postings.setdefault(word, []).append(row)
        self._vec = None
        if texts:
            self._vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            self._matrix = self._vec.fit_transform(texts)

    def __len__(self) -> int:
        return len(self.claims)

    def _passages(self, title: str, text: str) -> list[str]:
        parts = ([title] if title else []) + sentences(text)[:60]
        if not parts and text.strip():
            parts = [text.strip()]
        pairs = [f"{a} {b}" for a, b in zip(parts, parts[1:])]
        return parts + pairs

    def _may_match(self, folded: str) -> bool:
        shared: dict[int, int] = {}
        for word in _content_words(folded):
            for row in self._postings.get(word, ()):
                shared[row] = shared.get(row, 0) + 1
        return any(n >= MIN_SHARED * len(self._words[row]) for row, n in shared.items())

    def best(self, title: str, text: str) -> ClaimMatch | None:
        return self.best_batch([(title, text)])[0]

    def best_batch(self, items: list[tuple[str, str]], folded: list[str] | None = None) -> list[ClaimMatch | None]:
        """The nearest entry for each (title, text); one vectorisation for the whole batch.

        ``folded``: ``fold`` of each item's title and text, when the caller has it.
        """
        out: list[ClaimMatch | None] = [None] * len(items)
        if self._vec is None or not items:
            return out
        owners: list[int] = []
        passages: list[str] = []
        for i, (title, text) in enumerate(items):
            if not self._may_match(folded[i] if folded is not None else fold(f"{title} {text}")):
                continue
            for passage in self._passages(title, text):
                owners.append(i)
                passages.append(passage)
        if not passages:
            return out
        folded = [fold(p) for p in passages]
        sims = (self._vec.transform(folded) @ self._matrix.T).tocsr()
        for pi in range(len(passages)):
            lo, hi = sims.indptr[pi], sims.indptr[pi + 1]
            if lo == hi:
                continue
            data, cols = sims.data[lo:hi], sims.indices[lo:hi]
            words = _content_words(folded[pi])
            current = out[owners[pi]]
            # Only the few nearest rows by cosine need the word-overlap blend.
            for k in data.argsort()[-3:]:
                ri, cosine = int(cols[k]), float(data[k])
                claim_words = self._words[ri]
                overlap = len(words & claim_words) / len(claim_words) if claim_words else 0.0
                score = 0.6 * cosine + 0.4 * overlap
                if current is None or score > current.similarity:
                    current = ClaimMatch(self.claims[self._rows[ri]], round(min(1.0, score), 4), passages[pi])
            out[owners[pi]] = current
        return out
