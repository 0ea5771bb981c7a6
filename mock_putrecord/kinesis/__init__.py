"""The in-memory Kinesis Data Streams service."""
