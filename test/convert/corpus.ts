// The development corpus (../shared/CORPUS.md), as used by the convert corpus test and benchmark.
// Paths are relative to DATAMIGRATE_CORPUS; nothing of the corpus is in the repository.
export const CORPUS_DATABASES: Record<string, string[]> = {
  northwind: ["northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql"],
  pubs: ["northwind-pubs/samples/databases/northwind-pubs/instpubs.sql"],
  chinook: ["chinook/ChinookDatabase/DataSources/Chinook_SqlServer.sql"],
  sakila: ["sakila/sql-server-sakila-db/sql-server-sakila-schema.sql"],
  "adventureworks-oltp": ["adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"],
  "adventureworks-dw": ["adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql"],
  "adventureworks-lt": ["awlt/scripts/adventureworksLT.sql"],
  wwi: ["wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"],
};
