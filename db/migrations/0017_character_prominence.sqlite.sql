-- A pack's own `prominence:` for a character (issue 27): when given, the weight that ranks lookups and
-- autocomplete instead of the one derived from appearances (billing, then how many). NULL: derived.
ALTER TABLE characters ADD COLUMN prominence INTEGER CHECK (prominence >= 0);
