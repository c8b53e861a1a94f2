"""JSON routes of the catalog stage under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["catalog"])
