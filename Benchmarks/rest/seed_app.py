"""A minimal stand-in for the seed system's `GET /user/exchanges/` (FastAPI + SQLAlchemy + pydantic).

It reproduces the seed's request path and nothing more, so the benchmark measures the same work the seed does:

- `HTTPBearer` reads `Authorization: Bearer <token>`;
- a synchronous `get_db` generator dependency opens one SQLAlchemy ORM session per request (shared, through
  FastAPI's dependency cache, by the auth dependency and the route) and closes it afterwards;
- a synchronous `get_current_user` dependency (FastAPI runs it in its threadpool) decodes the token with
  `base64.urlsafe_b64decode`, checks its age (<= 3600 s), compares the HMAC-SHA256 hex digest with
  `hmac.compare_digest`, loads the user with `session.query(User)...first()` and refuses inactive users (403);
- the route is `async def`, runs `session.query(UserExchange).filter(UserExchange.user_id == user.id).all()` and
  returns pydantic `ExchangeResponse` objects through `response_model=List[ExchangeResponse]`.

Configuration comes from the environment, as in the Swift service: `SECRET_KEY`, `DATABASE_URL`
(`sqlite:////abs/path.sqlite`, or PostgreSQL through psycopg 3: `postgresql+psycopg://user:pass@host:port/db`; a plain
`postgresql://` or `postgres://` URL is read as psycopg 3 too, since SQLAlchemy's default PostgreSQL driver is
psycopg2). On PostgreSQL the engine keeps SQLAlchemy's defaults (a QueuePool of 5 connections plus 10 overflow), as
the seed's `create_engine(DATABASE_URL)` does. Run: `uvicorn seed_app:app --host 127.0.0.1 --port 8001` (one
worker).
"""

import base64
import enum
import hashlib
import hmac
import os
import time
from datetime import datetime
from typing import Iterator, List, Optional

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, create_engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

SECRET_KEY = os.environ["SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
TOKEN_MAX_AGE = 3600

if DATABASE_URL.startswith("sqlite"):
    # The usual FastAPI recipe for SQLite: the session's connection is opened in the threadpool (by the sync auth
    # dependency) and used again on the event loop (by the async route), so pysqlite's same-thread check is off.
    engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
else:
    for prefix in ("postgresql://", "postgres://"):
        if DATABASE_URL.startswith(prefix):
            DATABASE_URL = "postgresql+psycopg://" + DATABASE_URL[len(prefix):]
    engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)
Base = declarative_base()


# ---------------------------------------------------------------- ORM models (the seed's two tables)


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    username = Column(String)
    email = Column(String)
    telegram_id = Column(Integer, unique=True)
    language_code = Column(String)
    is_admin = Column(Boolean, nullable=False, default=False)
    is_active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, default=datetime.utcnow)


class UserExchange(Base):
    __tablename__ = "user_exchanges"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    exchange_name = Column(String(50), nullable=False)
    label = Column(String(100), nullable=False)
    api_key = Column(String(500), nullable=False)
    api_secret = Column(String(500), nullable=False)
    passphrase = Column(String(500))
    status = Column(String(20), default="PENDING")
    is_active = Column(Boolean, default=False)
    error_message = Column(Text)
    created_at = Column(DateTime, default=datetime.utcnow)
    updated_at = Column(DateTime, onupdate=datetime.utcnow)


# ---------------------------------------------------------------- response schema


class ExchangeStatus(str, enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ExchangeResponse(BaseModel):
    id: int
    user_id: int
    exchange_name: str
    label: str
    status: ExchangeStatus
    is_active: bool
    error_message: Optional[str] = None
    created_at: datetime
    updated_at: Optional[datetime] = None


# ---------------------------------------------------------------- dependencies

bearer = HTTPBearer()


def get_db() -> Iterator[Session]:
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=detail)


def get_current_user(
    credentials: HTTPAuthorizationCredentials = Depends(bearer),
    db_session: Session = Depends(get_db),
) -> User:
    try:
        text = base64.urlsafe_b64decode(credentials.credentials.encode()).decode()
        fields = text.split(":")
        if len(fields) != 3:
            raise ValueError("expected three fields")
        user_id, stamp, signature = int(fields[0]), int(fields[1]), fields[2]
    except Exception:
        raise unauthorized("Invalid token format")

    if int(time.time()) - stamp > TOKEN_MAX_AGE:
        raise unauthorized("Token expired")

    expected = hmac.new(SECRET_KEY.encode(), f"{user_id}:{stamp}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        raise unauthorized("Invalid token signature")

    user = db_session.query(User).filter(User.id == user_id).first()
    if user is None:
        raise unauthorized("User not found")
    if not user.is_active:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Account is disabled")
    return user


# ---------------------------------------------------------------- the endpoint

app = FastAPI(title="seed exchange API (benchmark stand-in)")


@app.get("/user/exchanges/", response_model=List[ExchangeResponse])
async def list_my_exchanges(
    current_user: User = Depends(get_current_user),
    db_session: Session = Depends(get_db),
):
    try:
        rows = db_session.query(UserExchange).filter(UserExchange.user_id == current_user.id).all()
        return [
            ExchangeResponse(
                id=row.id,
                user_id=row.user_id,
                exchange_name=row.exchange_name,
                label=row.label,
                status=ExchangeStatus(row.status),
                is_active=row.is_active,
                error_message=row.error_message,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            for row in rows
        ]
    except Exception as error:
        raise HTTPException(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail=f"Failed to list exchanges: {error}",
        )
