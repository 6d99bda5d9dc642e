import { store, subscribe, privateOf, sendPrivate } from '../../utils/chat.js';

const SHOWN = 200;

Page({
  data: { id: '', items: [], text: '', lastKey: '', state: 'idle', statusText: '' },

  onLoad(query) {
    const id = decodeURIComponent(query.id || '');
    this.setData({ id });
    wx.setNavigationBarTitle({ title: `@ ${id}` });
    this.unsubscribe = subscribe((change) => {
      if (change.id === undefined || change.id === id) {
        this.render();
      }
    });
    this.render();
  },

  onUnload() {
    this.unsubscribe?.();
  },

  render() {
    const conv = privateOf(this.data.id);
    conv.unread = 0;
    const items = conv.items.slice(-SHOWN);
    this.setData({
      items,
      lastKey: items.length ? items[items.length - 1].key : '',
      state: store.state,
      statusText: store.statusText,
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
    sendPrivate(this.data.id, text);
  },
});
