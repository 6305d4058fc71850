"""The national front door: one endpoint, the infno in the body picks the transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from medshared import jsonutil

from settlement.handlers import FrontDoor


async def _raw_body(request: Request) -> bytes:
    # Read as bytes and decoded by jsonutil, so amounts become Decimal and never pass through float.
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def router(front_door: FrontDoor) -> APIRouter:
    api = APIRouter(tags=["national interface"])

    @api.post("/fsi/api/rsfComIfsService/callService")
    def call_service(request: Request, body: RawBody) -> Response:
        """National envelope in (infno, msgid, input), national envelope out (infcode, output, err_msg)."""
        status, answer = front_door.call(request.headers, body)
        return Response(jsonutil.dumps(answer), status_code=status, media_type="application/json")

    return api
