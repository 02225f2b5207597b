"""The translators' loop: segments, states, XLIFF exchange, QA checks, status, review copies.

    segments.py  collect(content_dir, templates_dir) -> Catalog; every text as a Segment with a stable id
    state.py     states from fingerprints in content/i18n/translations.yaml; build hooks
                 (segment_states, problems_for_build, draft_documents, is_draft, approve, init_states)
    xliff.py     export / import_ of XLIFF 1.2 (2.0) through translate-toolkit
    memory.py    translation memory: approved segments + content/i18n/memory.tmx; exact and fuzzy
                 matches for export and status; TMX export / import
    qa.py        QA checks (numbers, placeholders, brackets, glossary, consistency, untranslated)
    status.py    counts per state and document, leverage of the memory
    review.py    review_documents: the bilingual review copies' template contexts
"""
