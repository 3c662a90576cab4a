"""Getting metadata in and out of despina: the JSON protocol, importers and exporters.

- ``json_ops``: JSON operations (the operation vocabulary written as JSON) to ``Operation``.
- ``json_source``: reading JSON documents and JSON-lines files into objects and numbered items.
- ``importer``: sending what a source holds to a backend, idempotently.
- ``selection``: the objects of a project an NQL query selects; ``series_pages``: reading
  float series page by page; ``target``: the backend (server or embedded store) to use.
- ``export_json``, ``export_csv``, ``export_parquet``: writing selected objects out.

The format is specified in ``protocol.schema.json`` (beside this file) and docs/json-protocol.md.
"""
