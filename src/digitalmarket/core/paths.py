"""Path parameters shared by the routes of every package."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: An object's id in a path, as its database column holds it (1 to 2**31 - 1): anything else is a 422 that
#: names the range, never a database error.
Id = Annotated[int, Path(gt=0, lt=2**31)]
