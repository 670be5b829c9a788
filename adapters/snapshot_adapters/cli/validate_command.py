"""`snapshot validate` (placeholder until the OpenAI issue lands)."""
