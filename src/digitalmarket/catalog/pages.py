"""HTML routes of the catalog stage."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ..core.templating import csrf_protect

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
