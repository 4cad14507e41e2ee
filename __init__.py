"""ancols-nlp: French social-housing control reports and the organisms' replies, classified and searchable.

The four rooms: ``pipelines`` (documents → labelled segments), ``models`` (the learned parts),
``index`` (storage and retrieval) and ``service`` (HTTP and the ``ancols`` command).
"""
