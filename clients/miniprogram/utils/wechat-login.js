// WeChat login through the app backend (samples/app-backend): wx.login gives a one-time code,
// the backend trades it for the openid (code2Session, with the app secret the mini-program must
// never hold) and answers a PipeChat token whose user id is that openid.

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (r) => (r.code ? resolve(r.code) : reject(new Error(r.errMsg || 'wx.login gave no code'))),
      fail: (e) => reject(new Error(e.errMsg || 'wx.login failed')),
    });
  });
}

function post(url, data) {
  return new Promise((resolve, reject) => {
    wx.request({
      url,
      method: 'POST',
      data,
      header: { 'content-type': 'application/json' },
      success: (r) => resolve(r),
      fail: (e) => reject(new Error(e.errMsg || 'request failed')),
    });
  });
}

/** Resolves with { token, expiresAt, userId } from the backend at `backend`. */
export async function weChatToken(backend) {
  const code = await wxLogin();
  const r = await post(`${backend.replace(/\/+$/, '')}/login`, { code });
  if (r.statusCode !== 200 || !r.data || typeof r.data.token !== 'string') {
    const error = new Error(`login failed (HTTP ${r.statusCode})`);
    error.code = r.data?.error ?? `http_${r.statusCode}`;
    throw error;
  }
  return r.data;
}
