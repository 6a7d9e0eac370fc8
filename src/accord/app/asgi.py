"""The ASGI application: REST API under /api/v1 and the pages, on one FastAPI app."""

from __future__ import annotations

from importlib import resources
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from accord.app.api_routes import api_router
from accord.app.page_routes import page_router
from accord.app.probes import router as probes_router
from accord.app.wiring import connect
from accord.calendar.jobs.scheduler import lifespan
from accord.core.database import engine_for, session_factory
from accord.core.errors import AccordError
from accord.core.settings import Settings, get_settings
from accord.web.access_log import AccessLog
from accord.web.deps import LoginRequired, signed_in_user
from accord.web.headers import SecurityHeaders
from accord.web.limits import RequestGuard
from accord.web.problems import problem
from accord.web.templating import render, templates


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings | None = None) -> FastAPI:
    # without a configured secret: the one kept in the data folder, made on first start (S5)
    settings = (settings or get_settings()).with_secret()
    connect()  # the capabilities' listeners (app.wiring)
    assert settings.secret_key
    app = FastAPI(
        title="Accord",
        version="0.1.0",
        description="Key account management: accounts, contacts, revenue and portfolio KPIs.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the package, with no inline script (S4)
        redoc_url=None,
        lifespan=lifespan,  # the jobs scheduler, with ACCORD_SCHEDULER=true (docs/jobs.md)
    )
    engine = engine_for(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="accord_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.mode == "production",
    )
    app.add_middleware(RequestGuard, settings=settings)
    # S4: around everything but the access log, so the guard's refusals carry them too
    app.add_middleware(SecurityHeaders, production=settings.mode == "production")
    app.add_middleware(AccessLog, enabled=settings.access_log)  # outermost: ids every answer
    static = resources.files("accord.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api_router)
    app.include_router(page_router)
    app.include_router(probes_router)

    @app.exception_handler(AccordError)
    async def _domain_error(request: Request, exc: AccordError) -> Response:
        if _is_api(request):
            return problem(exc.status, exc.title, exc.detail, exc.errors)
        return render(
            request,
            "web/error.html",
            {"status": exc.status, "title": exc.title, "detail": exc.detail,
             "user": await run_in_threadpool(signed_in_user, request)},
            status_code=exc.status,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Validation failed", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code != 404:
            return problem(exc.status_code, "Error", str(exc.detail))
        return render(
            request,
            "web/error.html",
            {"status": 404, "title": "Not found", "detail": "There is no such page.",
             "user": await run_in_threadpool(signed_in_user, request)},
            status_code=404,
        )

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        # encoded, so the page's own query survives as one parameter (B8)
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return templates.TemplateResponse(
            request, "web/api_docs.html", {"openapi_url": app.openapi_url}
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
