"""Adapters that run the analysis inside other data pipelines (docs/integrations.md).

Each module imports its framework only when it is used, and each framework is
an extra: `pip install 'quality[datatrove]'`, `[ray]`, `[data-juicer]`,
`[nemo-curator]`, `[dolma]`.

- `quality.integrations.datatrove`: `QualityFilter`, `QualityAnnotator`
- `quality.integrations.ray`: `annotate_dataset`, and the `quality filter --scheduler ray` backend
- `quality.integrations.data_juicer`: the `quality_filter` operator
- `quality.integrations.nemo_curator`: `QualityDocumentFilter`
- `quality.integrations.dolma`: the `quality_v1` tagger
"""
