"""The test suite. Password hashing is made cheap here, before any test imports the hasher."""

import os

os.environ.setdefault("DM_ARGON2_TIME_COST", "1")
os.environ.setdefault("DM_ARGON2_MEMORY_KIB", "1024")
