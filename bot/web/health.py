"""`GET /healthz`: 200 when the database answers, 503 when it does not (for load balancers).

The body also says whether this worker's search index is built yet, and over how many products:
a worker answers buyers while it builds, so readiness for search is reported, not waited for.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.database import SessionFactory
from storefront.search_index import LiveSearchIndex

log = logging.getLogger(__name__)


def health_route(sessions: SessionFactory, search_index: LiveSearchIndex | None = None) -> Route:
    async def healthz(request: Request) -> Response:
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as error:
            log.error("health check: database unreachable: %s", error)
            return JSONResponse({"database": "unreachable"}, status_code=503)
        body: dict[str, object] = {"database": "ok"}
        if search_index is not None:
            state = search_index.state()
            body["search_index"] = {
                "ready": state.ready,
                "building": state.building,
                "products": state.products,
                "catalog_version": state.version,
            }
        return JSONResponse(body)

    return Route("/healthz", healthz, methods=["GET"])
