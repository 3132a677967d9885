"""Tables (pandas) and renderers built at the edge from ``SessionAnalysis`` records.

- ``tables``: the tidy tables (turns, units, stages, sessions, failures);
- the coach's report of one session: ``facts`` (one joined view per turn) feeds the metric
  modules ``by_stage``, ``conversation``, ``arc``, ``reciprocity``, ``opportunities``,
  ``issues`` and ``headlines``; ``session_report.build_report`` gathers them into one dict;
- renderers of that dict: ``markdown``, ``json_report``, ``html`` (+ ``svg`` charts and
  ``templates/``) and ``terminal``; ``writers`` is what ``analyzer analyze`` calls;
- ``wording`` holds the sentences and references every renderer shares.
"""
