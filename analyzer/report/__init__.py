"""Tables (pandas) and renderers built at the edge from ``SessionAnalysis`` records."""
