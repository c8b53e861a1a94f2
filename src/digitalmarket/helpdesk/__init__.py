"""The help desk: inquiries to the operator, the FAQ and notices (공지)."""
