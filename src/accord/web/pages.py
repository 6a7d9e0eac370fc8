"""Assembly of the web pages: each capability contributes its page router."""

from fastapi import APIRouter

from accord.accounts.pages import router as accounts_pages
from accord.revenue.pages import router as revenue_pages
from accord.web.auth_pages import router as auth_pages

page_router = APIRouter(include_in_schema=False)
page_router.include_router(auth_pages)
page_router.include_router(accounts_pages)
page_router.include_router(revenue_pages)
