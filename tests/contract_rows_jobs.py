"""The jobs and digest resources of the API contract table; see ``contract_rows.py``.

An admin lists the jobs (the built-in ones are there) and asks for a dry run of the digest
(nothing is sent: no mail server in the tests); a manager may do neither, and the digest for
an e-mail nobody has, or a dry run that is not a boolean, is a 422 naming the field."""

from __future__ import annotations

from contract_rows import Call, Resource

JOBS = [
    Resource(
        name="jobs",
        actor="admin",
        collection=lambda c: "/api/v1/jobs",
        shows=("name", "health_recompute"),
        also=[
            Call("POST", lambda c, made: "/api/v1/digest/send", body={"dry_run": True},
                 shows=("dry_run", True)),
            Call("POST", lambda c, made: "/api/v1/digest/send", status=409, body={}),
            Call("POST", lambda c, made: "/api/v1/digest/send", status=422,
                 body={"dry_run": True, "to": "nobody@accord.test"}),
            Call("POST", lambda c, made: "/api/v1/digest/send", status=422,
                 body={"dry_run": "yes"}),
        ],
        denied=[
            ("owner", "GET", lambda c: "/api/v1/jobs", None, 403),
            ("head", "POST", lambda c: "/api/v1/digest/send", {"dry_run": True}, 403),
            ("viewer", "POST", lambda c: "/api/v1/digest/send", {}, 403),
        ],
    ),
]
