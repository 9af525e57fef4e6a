//! Writing a batch's results: XLSX (with pictures), CSV and JSONL.
