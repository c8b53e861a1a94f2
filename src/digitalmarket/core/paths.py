"""Ids in routes: the path parameter of every package's routes and the range an id column holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: The largest id an id column holds (PostgreSQL's INTEGER): a larger one sent to the database is an error
#: there, not a row that is missing.
LARGEST_ID = 2**31 - 1

#: An object's id in a path, as its database column holds it: anything else is a 422 that names the range,
#: never a database error.
Id = Annotated[int, Path(gt=0, le=LARGEST_ID)]
