"""WeChat code-to-session (jscode2session): exchange a mini-program login code for an openid."""

from __future__ import annotations

import httpx

from evoucher.domain.errors import Unauthenticated, Unavailable


class WeChatClient:
    def __init__(self, base_url: str, appid: str, secret: str, timeout: float) -> None:
        self._appid = appid
        self._secret = secret
        self._http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))

    def openid_for(self, code: str) -> str:
        try:
            response = self._http.get(
                "/sns/jscode2session",
                params={
                    "appid": self._appid,
                    "secret": self._secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
            )
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise Unavailable("wechat_unavailable", "WeChat login is unavailable; try again in a moment") from None
        if body.get("errcode"):
            raise Unauthenticated(
                "wechat_code", f"WeChat refused the login code ({body.get('errmsg', 'invalid code')}); log in again"
            )
        openid = body.get("openid")
        if not openid:
            raise Unavailable("wechat_unavailable", "WeChat answered without an openid; try again in a moment")
        return str(openid)

    def close(self) -> None:
        self._http.close()
