"""Core of the scanner: BPMN import, the process model, graphs and flow analysis."""

__version__ = "0.1.0"
