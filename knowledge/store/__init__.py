"""The store: knowledge files -> validated claims -> the built SQLite store.

``schema`` (the pydantic models of a knowledge file: a contract), ``loader`` (YAML to
claims, every problem as file:line:col), ``database`` (the SQLite store: claims, FTS5, each
claim's analysis), ``text`` (normalisation and terms, shared by indexing and querying),
``language`` (what a text asks for or can supply, who gives, who speaks), ``lint`` (the
warnings of ``groundbot check``) and ``publishing`` (writing a moderator's file into the
knowledge directory). The floor of ``knowledge``: it imports no other room.
"""
