"""The national front door over HTTP: one door, reached by the path shapes deployed HIS software uses.

The canonical path is /fsi/api/rsfComIfsService/callService. Deployed clients also post to
…/callService/{infno} and to the per-service paths of the provincial gateways
(/fsi/api/<service>/<method>, e.g. /fsi/api/signInSignOutService/signIn): the infno in the body
picks the transaction everywhere, and one in the path must agree with it. Two gateway door paths
seen in deployed configurations are aliases too. The body is read as
bytes whatever the content type (application/json or text/plain), so amounts never pass through
float.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from medshared import jsonutil
from settlement.door import FrontDoor

CANONICAL_PATH = "/fsi/api/rsfComIfsService/callService"


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def router(front_door: FrontDoor) -> APIRouter:
    api = APIRouter(tags=["national interface"])

    def answer(request: Request, body: bytes, infno: str | None = None) -> Response:
        status, output = front_door.call(request.headers, body, path_infno=infno)
        return Response(jsonutil.dumps(output), status_code=status, media_type="application/json")

    @api.post(CANONICAL_PATH)
    def call_service(request: Request, body: RawBody) -> Response:
        """National envelope in (infno, msgid, input), national envelope out (infcode, output, err_msg)."""
        return answer(request, body)

    @api.post(CANONICAL_PATH + "/{infno}", include_in_schema=False)
    def call_service_infno(infno: str, request: Request, body: RawBody) -> Response:
        """The same door with the infno in the path (…/callService/2207)."""
        return answer(request, body, infno)

    @api.post("/fsi/api/{service}/{method}", include_in_schema=False)
    def per_service(service: str, method: str, request: Request, body: RawBody) -> Response:
        """The provincial per-service paths (/fsi/api/<service>/<method>): the body's infno decides."""
        return answer(request, body)

    # Gateways' own door paths, configured in deployed clients as fixed suffixes.
    for alias in ("/uif-hsaf-med-api/api/medical/service", "/mbs/fmi/fsi/api/callFsiService/callService"):
        api.add_api_route(alias, call_service, methods=["POST"], include_in_schema=False)
    return api
