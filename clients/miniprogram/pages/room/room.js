import { store, subscribe, roomOf, sendRoom, sendLike, leaveRoom, refreshMembers, openPrivate } from '../../utils/chat.js';

const SHOWN = 200; // messages rendered; older ones stay in the store

Page({
  data: {
    roomid: '',
    items: [],
    members: [],
    count: 0,
    showMembers: false,
    text: '',
    lastKey: '',
    state: 'idle',
    statusText: '',
    likes: 0,
    skipped: 0,
  },

  onLoad(query) {
    const roomid = decodeURIComponent(query.roomid || '');
    this.setData({ roomid });
    wx.setNavigationBarTitle({ title: `# ${roomid}` });
    this.unsubscribe = subscribe((change) => {
      if (change.roomid === undefined || change.roomid === roomid) {
        this.render();
      }
    });
    this.render();
    refreshMembers(roomid);
  },

  onUnload() {
    this.unsubscribe?.();
  },

  render() {
    const room = roomOf(this.data.roomid);
    room.unread = 0; // on screen: read
    const items = room.items.slice(-SHOWN);
    this.setData({
      items,
      members: room.members.map((id) => ({ id, me: id === store.me })),
      count: room.count,
      lastKey: items.length ? items[items.length - 1].key : '',
      state: store.state,
      statusText: store.statusText,
      likes: room.counters?.likes ?? 0,
      skipped: room.skipped || 0,
    });
  },

  onInput(e) {
    this.setData({ text: e.detail.value });
  },

  onSend() {
    const text = this.data.text.trim();
    if (!text) {
      return;
    }
    this.setData({ text: '' });
    sendRoom(this.data.roomid, text);
  },

  onLike() {
    sendLike(this.data.roomid);
  },

  onToggleMembers() {
    this.setData({ showMembers: !this.data.showMembers });
    if (this.data.showMembers) {
      refreshMembers(this.data.roomid);
    }
  },

  onMemberTap(e) {
    const id = e.currentTarget.dataset.id;
    if (id === store.me) {
      return;
    }
    openPrivate(id);
    wx.navigateTo({ url: `/pages/private/private?id=${encodeURIComponent(id)}` });
  },

  onLeave() {
    leaveRoom(this.data.roomid);
    wx.navigateBack();
  },
});
