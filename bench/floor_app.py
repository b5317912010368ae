"""Floor B: the least a FastAPI service can do for an appeal — parse the body, make floor A's two
inserts in one transaction on an asyncpg pool, answer 201. Run by bench_throughput.py with
uvicorn (uvloop + httptools, one worker); FLOOR_DSN names the database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, status
from floor_sql import insert_appeal
from pydantic import BaseModel, Field


class Appeal(BaseModel):
    channel: str = Field(max_length=32)
    text: str = Field(min_length=1, max_length=4000)
    address: str | None = None
    external_id: str | None = None


class Accepted(BaseModel):
    work_order_id: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=8, max_size=8)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/v1/appeals", status_code=status.HTTP_201_CREATED)
async def submit(appeal: Appeal) -> Accepted:
    async with app.state.pool.acquire() as conn:
        order_id = await insert_appeal(conn, appeal.channel, appeal.external_id or "", appeal.text, appeal.address)
    return Accepted(work_order_id=order_id)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
