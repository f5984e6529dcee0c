"""Generator of the bundled sample flows (``flows/``), their survey workbook and glossary.

The committed files under ``flows/`` are the product; this package lets them be
rebuilt and reviewed.  Each procedure is a short declarative description
(:mod:`flowgen.procedures`); :mod:`flowgen.layout` places it the way a modeler
user would (columns by flow order, rows by lane, orthogonal connectors routed
around shapes), :mod:`flowgen.write` writes BPMN 2.0 XML with DI, and
:mod:`flowgen.workbook` writes the 業務量調査 workbook and the glossary.

Run ``python scripts/build_flows.py`` to rebuild, ``--check`` to verify the
committed files are what the descriptions give.
"""
