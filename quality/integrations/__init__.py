"""Adapters that run the analysis inside other data pipelines (docs/integrations.md).

Each module imports its framework only when it is used, and each framework is
an extra: `pip install 'quality[datatrove]'`, `[ray]`, `[data-juicer]`,
`[nemo-curator]`, `[dolma]`.

- `quality.integrations.datatrove`: `QualityFilter`, `QualityAnnotator`
- `quality.integrations.ray`: `annotate_dataset` (the `quality filter --scheduler ray` backend is `quality.ray_backend`)
- `quality.integrations.data_juicer_op`: the Data-Juicer `quality_filter` operator (`DATA_JUICER_OPERATOR`)
- `quality.integrations.nemo_curator`: `QualityDocumentFilter` (by score), `QualityVerdictFilter` (by verdict)
- `quality.integrations.dolma`: the `quality_v1` tagger
"""

from pathlib import Path

# the file to name in a Data-Juicer recipe's `custom_operator_paths`
DATA_JUICER_OPERATOR = str(Path(__file__).with_name("data_juicer_op.py"))
