-- The procedure catalogue (kiosk/catalogue_store.py). Written only by whoever imports or syncs
-- it, always as one transaction, so readers see the old catalogue or the new one, never a mix.

-- One row: which catalogue this is.
CREATE TABLE IF NOT EXISTS catalogue_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS catalogue_field (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    -- vietnamese_sort_key(name): ORDER BY gives Vietnamese order.
    sort_key TEXT NOT NULL
);

-- Ids follow search order (shortest folded name first, then Vietnamese order) and are given
-- anew on every change; `position` keeps the published order.
CREATE TABLE IF NOT EXISTS catalogue_procedure (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    field TEXT NOT NULL REFERENCES catalogue_field (id),
    level TEXT NOT NULL,
    position INTEGER NOT NULL,
    -- Search tokens of the name joined by single spaces ("dang ky khai sinh").
    name_key TEXT NOT NULL,
    -- The code folded to lower case, punctuation kept ("1.001612.000.00.00.h48").
    code_key TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    -- The whole normalised Procedure object as JSON (what get_procedure and export return).
    -- Last, because it is long: search reads the columns before it without following the
    -- row's overflow pages.
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS catalogue_procedure_name_key ON catalogue_procedure (name_key);
CREATE INDEX IF NOT EXISTS catalogue_procedure_code_key ON catalogue_procedure (code_key);
CREATE INDEX IF NOT EXISTS catalogue_procedure_field ON catalogue_procedure (field, sort_key);

-- Each keyword of each procedure as search tokens ("so do"): a query that is a whole keyword,
-- or the start of one, ranks just after names (kiosk/search.py).
CREATE TABLE IF NOT EXISTS catalogue_keyword (
    keyword_key TEXT NOT NULL,
    procedure_id INTEGER NOT NULL REFERENCES catalogue_procedure (id),
    PRIMARY KEY (keyword_key, procedure_id)
) WITHOUT ROWID;

-- Full-text index over folded text; rowid = catalogue_procedure.id. Columns in ranking order:
-- bm25 weights name highest. The prefix indexes make as-you-type prefix queries cheap.
CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_fts USING fts5 (
    name, keywords, code, field,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);

-- Every distinct indexed word, and a trigram index over them, for the typo-tolerant fallback:
-- a misspelt word is matched to known words that share trigrams with it.
CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_fts_terms USING fts5vocab (catalogue_fts, 'row');
CREATE TABLE IF NOT EXISTS catalogue_word (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_word_trigram USING fts5 (
    word,
    tokenize = 'trigram'
);
