-- The catalogue's abbreviations and synonyms table (`synonyms`, docs/catalogue.md), as published
-- with each version (canonical JSON list); sent with every catalogue answer.
ALTER TABLE catalogue_versions ADD COLUMN synonyms TEXT NOT NULL DEFAULT '[]';
