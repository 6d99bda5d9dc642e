import { store, subscribe, joinRoom, openPrivate, logout } from '../../utils/chat.js';

Page({
  data: {
    me: '',
    state: 'idle',
    statusText: '',
    rooms: [],
    privates: [],
    newRoom: '',
    newUser: '',
  },

  onLoad() {
    this.unsubscribe = subscribe(() => this.render());
    this.render();
  },

  onShow() {
    this.render();
  },

  onUnload() {
    this.unsubscribe?.();
  },

  render() {
    this.setData({
      me: store.me || '',
      state: store.state,
      statusText: store.statusText,
      rooms: [...store.rooms.values()].map((r) => ({ roomid: r.roomid, count: r.count, unread: r.unread })),
      privates: [...store.privates.values()].map((p) => ({ id: p.id, unread: p.unread })),
    });
  },

  onRoomInput(e) {
    this.setData({ newRoom: e.detail.value.trim() });
  },

  onUserInput(e) {
    this.setData({ newUser: e.detail.value.trim() });
  },

  onJoin() {
    const roomid = this.data.newRoom;
    if (!roomid) {
      return;
    }
    this.setData({ newRoom: '' });
    joinRoom(roomid);
    wx.navigateTo({ url: `/pages/room/room?roomid=${encodeURIComponent(roomid)}` });
  },

  onOpenRoom(e) {
    wx.navigateTo({ url: `/pages/room/room?roomid=${encodeURIComponent(e.currentTarget.dataset.roomid)}` });
  },

  onNewPrivate() {
    const id = this.data.newUser;
    if (!id) {
      return;
    }
    this.setData({ newUser: '' });
    openPrivate(id);
    wx.navigateTo({ url: `/pages/private/private?id=${encodeURIComponent(id)}` });
  },

  onOpenPrivate(e) {
    wx.navigateTo({ url: `/pages/private/private?id=${encodeURIComponent(e.currentTarget.dataset.id)}` });
  },

  onLogout() {
    logout();
    wx.reLaunch({ url: '/pages/login/login' });
  },
});
