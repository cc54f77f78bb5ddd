"""Avatars and voices per provider over HTTP: ``GET /v1/providers/{provider}/avatars`` and
``.../voices``, filterable by ``language``, ``gender``, ``age_group``, ``accent``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..adapters.providers.catalogue_cache import CachedCatalogue
from ..domain.catalogue import CatalogueQuery
from ..domain.provider import ProviderError

FILTERS = ("language", "gender", "age_group", "accent")


def catalogue_routes(catalogues: Mapping[str, CachedCatalogue]) -> list[Route]:
    def query_of(request: Request) -> CatalogueQuery:
        return CatalogueQuery(**{name: request.query_params.get(name) or None for name in FILTERS})

    def catalogue_of(request: Request) -> CachedCatalogue | Response:
        name = request.path_params["provider"]
        catalogue = catalogues.get(name)
        if catalogue is None:
            return JSONResponse(
                {"error": {"code": "unknown_provider", "message": f"no catalogue for {name!r}"}},
                status_code=404,
            )
        return catalogue

    def failed(error: ProviderError) -> Response:
        return JSONResponse(
            {"error": {"code": error.code, "message": str(error)}},
            status_code=502 if error.retryable else 503,
        )

    async def providers(_: Request) -> Response:
        return JSONResponse({"providers": sorted(catalogues)})

    async def avatars(request: Request) -> Response:
        catalogue = catalogue_of(request)
        if isinstance(catalogue, Response):
            return catalogue
        try:
            items = await catalogue.avatars(query_of(request))
        except ProviderError as error:
            return failed(error)
        return JSONResponse({"avatars": [dataclasses.asdict(item) for item in items]})

    async def voices(request: Request) -> Response:
        catalogue = catalogue_of(request)
        if isinstance(catalogue, Response):
            return catalogue
        try:
            items = await catalogue.voices(query_of(request))
        except ProviderError as error:
            return failed(error)
        return JSONResponse({"voices": [dataclasses.asdict(item) for item in items]})

    return [
        Route("/v1/providers", providers, methods=["GET"]),
        Route("/v1/providers/{provider}/avatars", avatars, methods=["GET"]),
        Route("/v1/providers/{provider}/voices", voices, methods=["GET"]),
    ]
