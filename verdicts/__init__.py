"""Stage 5, record: contradictions between claims and a verdict per claim, from the judged evidence."""
