"""Media in an answer: audio heard (and, beside it, images seen)."""
