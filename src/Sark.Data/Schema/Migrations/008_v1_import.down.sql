-- sark:destructive
-- Drops the v1->v2 tool's bookkeeping; afterwards its rollback can no longer tell which v2 rows it wrote.

DROP TABLE v1_import_issues;
DROP TABLE v1_import_provenance;
DROP TABLE v1_import_runs;
