import { login } from '../../utils/chat.js';
import { SERVER_URL, DEV_SERVER_URL, BACKEND_URL } from '../../config.js';
import { weChatToken } from '../../utils/wechat-login.js';

const ID_RULE = /^[A-Za-z0-9_.@:-]{1,64}$/;

Page({
  data: {
    server: DEV_SERVER_URL || SERVER_URL,
    backend: BACKEND_URL,
    id: '',
    token: '',
    error: '',
    busy: false,
  },

  onIdInput(e) {
    this.setData({ id: e.detail.value.trim() });
  },

  onTokenInput(e) {
    this.setData({ token: e.detail.value.trim() });
  },

  onServerInput(e) {
    this.setData({ server: e.detail.value.trim() });
  },

  /** 微信登录: wx.login → the app backend (POST /login) → a PipeChat token → connect. */
  async onWeChatLogin() {
    const { server, backend } = this.data;
    this.setData({ busy: true, error: '' });
    try {
      const { token } = await weChatToken(backend);
      this.setData({ token });
      await login({ url: server, token });
      wx.redirectTo({ url: '/pages/rooms/rooms' });
    } catch (e) {
      this.setData({ error: `微信登录失败 WeChat login failed (${e.code || e.message})` });
    } finally {
      this.setData({ busy: false });
    }
  },

  async onConnect() {
    const { id, token, server } = this.data;
    if (!token && !ID_RULE.test(id)) {
      this.setData({ error: '用户名为 1–64 个字母、数字或 _ . @ : -  (id: 1–64 of A–Z a–z 0–9 _ . @ : -)' });
      return;
    }
    this.setData({ busy: true, error: '' });
    try {
      await login({ url: server, id, token });
      wx.redirectTo({ url: '/pages/rooms/rooms' });
    } catch (e) {
      // A refused handshake (bad id: HTTP 400, bad token: 401), an unregistered domain, or no network.
      this.setData({ error: `连接失败 could not connect (${e.code || e.message})` });
    } finally {
      this.setData({ busy: false });
    }
  },
});
