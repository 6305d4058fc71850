"""Problem details for what is enrollment's own: an import file that cannot be read at all.

Domain errors (Invalid, NotFound, Conflict) are mapped by the common edge
(medshared.problems.install), not here.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from enrollment.importing import UnreadableFile
from medshared.problems import problem_response


def install(app: FastAPI) -> None:
    @app.exception_handler(UnreadableFile)
    async def _file(_: Request, exc: UnreadableFile) -> JSONResponse:
        return problem_response(422, "Unreadable import file", str(exc), code="unreadable_file")
