"""How far the read models are behind: ``/healthz/consumers`` (for monitoring) and the operator's page.

The after-commit consumers (`core.consumers`) follow the audit log; each shows its position, the events it
follows that wait for it, how old the oldest of them is, and its last failure. The sequencer's own backlog
(committed events without a place in the log yet) is shown first.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..accounts.access import database, page_access
from ..accounts.permissions import PUBLIC, roles
from ..accounts.rules import Role
from ..core import consumers
from ..core.tables import utcnow
from ..core.templating import csrf_protect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

#: Who may read the page: the operator and the administrator.
FOLLOWERS = roles(Role.OPERATOR, Role.ADMIN)
#: A consumer this many seconds behind, or failing, makes ``/healthz/consumers`` answer 503.
LAG_ALARM_SECONDS = 60.0


@router.get("/healthz/consumers")
def consumers_health(request: Request, _=Depends(page_access(PUBLIC))):
    """Each consumer's lag, for a monitor: 200 while every one is within a minute and none fails."""
    with database(request).reading() as session:
        unsequenced, lags = consumers.status(session)
    now = utcnow()
    items = [
        {
            "name": lag.name,
            "position": lag.position,
            "head": lag.head,
            "waiting": lag.waiting,
            "lag_seconds": round(lag.seconds(now), 3),
            "failing": lag.error is not None,
        }
        for lag in lags
    ]
    healthy = all(item["lag_seconds"] < LAG_ALARM_SECONDS and not item["failing"] for item in items)
    body = {"status": "ok" if healthy else "behind", "unsequenced": unsequenced, "consumers": items}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/operator/read-models")
def read_models(request: Request, actor=Depends(page_access(FOLLOWERS))):
    with database(request).reading() as session:
        unsequenced, lags = consumers.status(session)
    context = {"unsequenced": unsequenced, "lags": lags, "now": utcnow(), "alarm": LAG_ALARM_SECONDS}
    return render(request, "read_models.html", context, actor=actor)
