"""The SQL store's direct way on SQLite: ``snapshot ingest`` and ``snapshot bucket`` on a
``sqlite:///FILE`` at the head revision, on a plain ``sqlite3`` connection, without loading
SQLAlchemy (a good part of those commands' start-up).

Its statements are the ones SQLAlchemy compiles from ``sql/`` (``statements.py``, generated
by ``scripts/compile_sqlite_statements.py``; a test keeps the two equal); whatever else a
unit of work is asked runs through today's ``Sql*`` repositories, on the same connection
and in the same transaction (``fallback.py``). The modules ``sqlite_setup`` and
``failures`` are shared with the SQLAlchemy engine, so both connect and fail alike.
"""
