"""Operations endpoints without login: /healthz (process up), /readyz (store ready), /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from runner.store.engine import transaction
from runner.store.migrate import current_revisions, head_revision
from runner.web.core import context_of

router = APIRouter()


@router.get("/healthz")
async def healthz() -> Response:
    """The process answers (a liveness probe: restart it when this fails). Answered on the
    event loop itself, so a full thread pool does not make a live process look dead."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """The store answers and its schema is at this code's head (a readiness probe)."""
    store = context_of(request).store
    head = head_revision()
    try:
        with transaction(store.engine, write=False) as conn:
            current = current_revisions(conn)
    except Exception as error:  # any driver error means: not ready
        return JSONResponse(
            {"status": "unavailable", "reason": f"store unreachable: {type(error).__name__}"},
            status_code=503,
        )
    if current != (head,):
        return JSONResponse(
            {
                "status": "unavailable",
                "reason": f"schema at {', '.join(current) or 'none'}, code expects {head}",
                "fix": "run `saksrobot db upgrade`",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ready", "schema": head})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format: counters of this process and the store's case counts."""
    registry: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
