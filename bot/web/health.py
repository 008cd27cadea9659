"""`GET /healthz`: 200 when the database answers, 503 when it does not (for load balancers)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.database import SessionFactory

log = logging.getLogger(__name__)


def health_route(sessions: SessionFactory) -> Route:
    async def healthz(request: Request) -> Response:
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as error:
            log.error("health check: database unreachable: %s", error)
            return JSONResponse({"database": "unreachable"}, status_code=503)
        return JSONResponse({"database": "ok"})

    return Route("/healthz", healthz, methods=["GET"])
