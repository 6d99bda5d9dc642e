import { onShow, onHide } from './utils/chat.js';

App({
  // WeChat freezes a mini-program in the background and often kills its socket ~5 s later without
  // onClose: the SDK checks the socket as soon as the app is shown again and reconnects at once.
  onShow() {
    onShow();
  },
  onHide() {
    onHide();
  },
});
