"""Documents in, searchable chunks out: loading, cleaning, chunking, embedding, FAISS store, retrieval."""
