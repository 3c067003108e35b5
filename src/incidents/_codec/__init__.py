"""
The codec: canonical bytes of events, and reading stored rows back.

* :mod:`~incidents._codec.canonical`: canonical bytes of events and recorded
  events, and the validating decoders (bytes from anywhere);
* :mod:`~incidents._codec.trusted`: the trusted decoder of rows the ledger
  stored itself (no validation, generated builders);
* :mod:`~incidents._codec.compiled`: the generated encoders that write
  canonical bytes;
* :mod:`~incidents._codec.slots`: building objects through their slots (the
  speed tricks of the read path);
* :mod:`~incidents._codec.codegen`: compiling generated code so that
  tracebacks show its lines.

The converter itself sits below the events, in :mod:`incidents._domain.convert`.
"""
