// The WeChat server APIs this backend calls, over node's fetch. `base` is
// https://api.weixin.qq.com in production; tests point it at a fake.
//
//   code2Session  GET  /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
//   access token  GET  /cgi-bin/token?grant_type=client_credential&appid&secret
//   msgSecCheck   POST /wxa/msg_sec_check?access_token=…  {content, version: 2, scene, openid}

export class WeChatError extends Error {
  constructor(what, errcode, errmsg) {
    super(`${what}: errcode ${errcode} ${errmsg ?? ''}`.trim());
    this.errcode = errcode;
    this.errmsg = errmsg;
  }
}

export class WeChatApi {
  constructor({ base, appId, appSecret, timeoutMs = 5000 }) {
    this.base = base.replace(/\/+$/, '');
    this.appId = appId;
    this.appSecret = appSecret;
    this.timeoutMs = timeoutMs;
    this.accessToken = null; // { value, expiresAt (ms) }
  }

  async #getJson(path, params) {
    const url = `${this.base}${path}?${new URLSearchParams(params)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) {
      throw new WeChatError(path, `http ${response.status}`);
    }
    return response.json();
  }

  /** A wx.login code → { openid, unionid? }. The session_key stays here: never send it to the client. */
  async code2Session(code) {
    const answer = await this.#getJson('/sns/jscode2session', {
      appid: this.appId,
      secret: this.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    if (answer.errcode || !answer.openid) {
      throw new WeChatError('code2Session', answer.errcode ?? 'no openid', answer.errmsg);
    }
    return { openid: answer.openid, unionid: answer.unionid };
  }

  /** The app's access_token, cached until 5 minutes before it expires. */
  async token({ refresh = false } = {}) {
    if (!refresh && this.accessToken && Date.now() < this.accessToken.expiresAt) {
      return this.accessToken.value;
    }
    const answer = await this.#getJson('/cgi-bin/token', {
      grant_type: 'client_credential',
      appid: this.appId,
      secret: this.appSecret,
    });
    if (answer.errcode || !answer.access_token) {
      throw new WeChatError('access token', answer.errcode ?? 'no access_token', answer.errmsg);
    }
    this.accessToken = { value: answer.access_token, expiresAt: Date.now() + Math.max(60, (answer.expires_in ?? 7200) - 300) * 1000 };
    return this.accessToken.value;
  }

  /**
   * msgSecCheck (version 2) on `content` written by `openid` (who must have opened the
   * mini-program in the last 2 hours). Resolves with result.suggest: 'pass', 'review' or 'risky',
   * and the label. Retries once with a fresh access_token when WeChat says it expired.
   */
  async msgSecCheck({ openid, content, scene = 2 }) {
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.token({ refresh: attempt > 0 });
      const response = await fetch(`${this.base}/wxa/msg_sec_check?access_token=${encodeURIComponent(accessToken)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content, version: 2, scene, openid }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) {
        throw new WeChatError('msgSecCheck', `http ${response.status}`);
      }
      const answer = await response.json();
      if ((answer.errcode === 40001 || answer.errcode === 42001) && attempt === 0) {
        continue; // access_token invalid or expired: get a new one once
      }
      if (answer.errcode === 87014) {
        return { suggest: 'risky', label: answer.result?.label ?? 0 }; // version 1's "content is risky"
      }
      if (answer.errcode) {
        throw new WeChatError('msgSecCheck', answer.errcode, answer.errmsg);
      }
      return { suggest: answer.result?.suggest ?? 'pass', label: answer.result?.label ?? 100 };
    }
  }
}
