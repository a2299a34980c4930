"""Shared bits for route modules: where the Simulator hangs on the app, and tiny responses."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ropsim.sim import Simulator

SIM = web.AppKey("ropsim.sim", Simulator)

OK_BODY = {"message": "ok"}


def sim_of(request: web.Request) -> Simulator:
    return request.app[SIM]


def ok() -> web.Response:
    return web.json_response(OK_BODY)


def json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)
