"""
Time travel: an incident at any valid time, as known at any recording time.

* ``knowledge``: the rule that turns a ``known_at`` into the last recording
  time an answer may see;
* ``index``: the sorted columns a fold answers from;
* ``fold``: the bitemporal fold of one incident, every version of every fact;
* ``snapshots``: the expensive part of a fold, kept in storage as derived data;
* ``history``: what time travel tells people (history, diff);
* ``service``: :class:`~incidents._timetravel.service.TimeTravel`, which
  keeps folds and answers the ledger's questions.

Nothing here knows the ``Ledger``: it works on a store.
"""
