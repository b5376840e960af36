"""Health check for load balancers and the operator."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..db import get_engine, is_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not."""
    if is_reachable(get_engine()):
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database="unreachable"), 503
