"""GET /v1/custodians and /v1/custodians/{code}: the councils and their address counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.errors import PROBLEM_RESPONSES
from api.v1.common import on_connection
from nsai.query import custodians
from nsai.query.models import CustodianCount, Custodians

router = APIRouter(prefix="/v1", tags=["custodians"], responses=PROBLEM_RESPONSES)


@router.get("/custodians", response_model=Custodians)
async def list_custodians(request: Request) -> Custodians:
    """Every council responsible for addresses, with its count of active national records."""
    return await on_connection(request, custodians.custodians)


@router.get("/custodians/{code}", response_model=CustodianCount)
async def get_custodian(
    request: Request, code: Annotated[int, Path(ge=1, le=9999, description="Local custodian code.")]
) -> CustodianCount:
    """One council and its count of active national records."""
    return await on_connection(request, custodians.custodian, code)
