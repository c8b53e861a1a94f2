"""JSON routes of the selection stage under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["selection"])
