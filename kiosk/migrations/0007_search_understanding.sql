-- Search the way citizens type (kiosk/catalogue/search.py, docs/lookup.md): English names and
-- keywords in the full-text index, the abbreviations and synonyms table, and how often each
-- procedure is looked up on this kiosk.
--
-- The full-text index gains a column, which FTS5 cannot add in place: it is made anew, empty,
-- and catalogue_meta.search_index = 0 says so. kiosk.catalogue.store.ensure_search_index
-- refills it from the stored documents (folding is Python: SQLite cannot fold Đ or i/y).

DROP TABLE IF EXISTS catalogue_fts_terms;
DROP TABLE IF EXISTS catalogue_fts;
CREATE VIRTUAL TABLE catalogue_fts USING fts5 (
    name, keywords, code, field, english,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);
CREATE VIRTUAL TABLE catalogue_fts_terms USING fts5vocab (catalogue_fts, 'row');

-- Search words of name_en joined by single spaces ("birth registration").
ALTER TABLE catalogue_procedure ADD COLUMN name_en_key TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS catalogue_procedure_name_en_key ON catalogue_procedure (name_en_key);

-- Which version of the search index the rows hold (SEARCH_INDEX_VERSION in the store), and the
-- catalogue's synonyms table as published (JSON list, what export returns).
ALTER TABLE catalogue_meta ADD COLUMN search_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalogue_meta ADD COLUMN synonyms TEXT NOT NULL DEFAULT '[]';

-- A term of the synonyms table (search words, "cmnd") and one thing it means (search words,
-- "chung minh nhan dan"). Terms that name procedures are indexed as their keywords instead.
CREATE TABLE IF NOT EXISTS catalogue_synonym (
    term_key TEXT NOT NULL,
    means_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (term_key, means_key)
) WITHOUT ROWID;

-- Procedures looked up on this kiosk (written by the UI process only): the "Thủ tục hay dùng"
-- strip of the lookup screen. Kept by code, so a new catalogue keeps the counts.
CREATE TABLE IF NOT EXISTS lookup_views (
    code TEXT PRIMARY KEY,
    views INTEGER NOT NULL,
    last_viewed_at TEXT NOT NULL
) WITHOUT ROWID;
