"""Getting metadata in and out of despina: the JSON protocol, importers and exporters.

- ``json_ops``: JSON operations (the operation vocabulary written as JSON) to ``Operation``.
- ``json_source``: reading JSON documents and JSON-lines files into objects and numbered items.
- ``importer``: sending what a source holds to a backend, idempotently.
- ``selection``: the objects of a project an NQL query selects; ``series_pages``: reading
  float series page by page; ``target``: the backend (server or embedded store) to use.
- ``export_json``, ``export_csv``, ``export_parquet``, ``export_nex``: writing selected
  objects out (``export_nex``: neptune-exporter's parquet layout).
- ``nex_layout``, ``nex_columns``, ``nex_rows``, ``nex_files``, ``nex_import``: reading a
  neptune-exporter export (folders, columns, rows to operations, files, the import itself).
- ``mlflow_import``: an MLflow tracking store through the mlflow client.
- ``kept_ids``: creating objects that keep the ids they had elsewhere.

The format is specified in ``protocol.schema.json`` (beside this file) and docs/json-protocol.md.
"""
