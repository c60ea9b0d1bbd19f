"""story search index: full text of every story, for the workspace's Search

SQLite: an FTS5 table ``story_search`` (rowid = story id). PostgreSQL: the ``unaccent``
extension, ``monitor_unaccent`` (an IMMUTABLE wrapper naming its dictionary, so it may be
used in indexed expressions), a table ``story_search`` of one ``tsvector`` per story with
a GIN index, and a partial index on the stories indexed in part. What the index holds and
why is in ``monitor/store/search_index.py``, which also back-fills the existing stories
here (the only place the index's SQL is written).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:40:00
"""

from __future__ import annotations

from alembic import op

from monitor.store import search_index

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # unaccent(text) depends on search_path, so it is not IMMUTABLE and cannot be
        # indexed; naming the dictionary (in the extension's schema) makes it so.
        schema = bind.exec_driver_sql(
            "SELECT quote_ident(nspname) FROM pg_extension"
            " JOIN pg_namespace ON pg_namespace.oid = extnamespace WHERE extname = 'unaccent'"
        ).scalar_one()
        op.execute(
            "CREATE OR REPLACE FUNCTION monitor_unaccent(text) RETURNS text"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$"
            f" SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        op.execute(
            "CREATE TABLE story_search ("
            " story_id bigint NOT NULL CONSTRAINT pk_story_search PRIMARY KEY,"
            " document tsvector NOT NULL,"
            " complete boolean NOT NULL DEFAULT true)"
        )
        op.execute("CREATE INDEX ix_story_search_document ON story_search USING gin (document)")
        op.execute(
            "CREATE INDEX ix_story_search_partial ON story_search (story_id) WHERE NOT complete"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE story_search USING fts5("
            "title_words, text_words, complete UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
    search_index.index_all(bind)


def downgrade() -> None:
    op.execute("DROP TABLE story_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION monitor_unaccent(text)")
