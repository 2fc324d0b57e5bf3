"""The province filter's one truth test: which documents an ingest keeps.

The place classifier writes its judgement into ``doc.extra["about_province"]`` (see
``places.py``); this module only decides what the judgement means for keeping a document, so the
ingest, ``mediawatch classify`` and :meth:`Enricher.keep` cannot disagree. Importing it loads no model.
"""

from __future__ import annotations

from mediawatch.document import Document

ABOUT_PROVINCE = "about_province"  # key in Document.extra


def keep_document(doc: Document, *, filter_to_province: bool, local_source: bool = False) -> bool:
    """Keep unless the filter is on and the classifiers judged the document not about the province.

    A document the classifiers did not judge (no key, or ``None``) is kept: not judged is not the
    same as judged irrelevant. Everything from a local source (the province's own paper, portal,
    page or channel) is kept, since it often names no place at all.
    """
    if not filter_to_province or local_source:
        return True
    return doc.extra.get(ABOUT_PROVINCE) is not False
