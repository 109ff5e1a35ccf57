-- The catalogue's abbreviations and synonyms table (`synonyms`, docs/catalogue.md), as published
-- with each version (canonical JSON list, kept as text: answers splice it in byte for byte).
ALTER TABLE catalogue_versions ADD COLUMN synonyms TEXT NOT NULL DEFAULT '[]';
