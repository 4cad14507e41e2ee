"""The PostgreSQL backend: rows, BM25 over pre-analysed terms and pgvector HNSW in one server (or a primary and its
replicas)."""
