"""The assembly of Accord: the one place that knows every capability.

``asgi.create_app`` builds the FastAPI app and mounts every capability's API router
(``api_routes``) and page router (``page_routes``); ``commands`` is the ``accord`` command,
made of every capability's Typer commands plus ``db`` and ``serve`` (``operations_cli``).
Nothing below this package imports it: capabilities import only the shared infrastructure
(``web``, ``api``, ``cli``, ``core``) and the capabilities beneath them (see
docs/architecture.md, "Packages and layers").
"""
