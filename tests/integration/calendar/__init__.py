"""Calendar service on the real servers."""
